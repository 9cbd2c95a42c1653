"""The offline text skills behind `ai.*`: deterministic categorize, summarize, extract and draft."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Lexicon groups: the key words a label may contain (first field) and the evidence for it.
# Multi-word entries are phrases; everything is stemmed the same way as the text.
_LEXICON: dict[str, tuple[str, str]] = {
    "billing": (
        "billing bill invoice payment charge fee",
        "bill,billed,invoice,receipt,charge,charged,payment,pay,paid,card,credit card,"
        "overcharged,charged twice,double charged,subscription fee,vat,tax,price,direct debit",
    ),
    "refund": (
        "refund reimbursement",
        "refund,money back,reimburse,reimbursement,chargeback,credit back,get my money",
    ),
    "shipping": (
        "shipping delivery tracking order shipment dispatch",
        "ship,shipped,shipping,delivery,deliver,delivered,tracking,track,tracking number,parcel,"
        "package,courier,dispatch,dispatched,arrive,arrived,where is my order,not arrived,"
        "postage,postcode,in transit,out for delivery,eta",
    ),
    "cancel": (
        "cancel cancellation churn",
        "cancel,cancellation,terminate,close my account,end my subscription,stop my subscription,"
        "no longer need,quit,leave,unsubscribe me",
    ),
    "return": (
        "return returns exchange rma",
        "return,send back,send it back,exchange,rma,wrong size,doesn't fit,does not fit,faulty,"
        "defective,damaged,broken on arrival,return label",
    ),
    "urgent": (
        "urgent priority emergency critical",
        "urgent,asap,immediately,emergency,critical,right away,right now,as soon as possible,"
        "outage,is down,site down,deadline,today,cannot wait,losing money",
    ),
    "spam": (
        "spam junk promo",
        "seo,backlinks,crypto,bitcoin,winner,lottery,prize,click here,limited time,guaranteed,"
        "rank on google,first page of google,viagra,casino,investment opportunity,"
        "dear sir/madam,act now,congratulations you",
    ),
    "sales": (
        "sales sale enquiry inquiry prospect new business",
        "pricing,price,quote,quotation,demo,buy,purchase,plan,how much,trial,enterprise,discount,"
        "bulk order,licence,license,seats,proposal,interested in,cost",
    ),
    "support": (
        "support help technical issue problem bug",
        "help,issue,problem,error,bug,broken,login,log in,password,reset,not working,crash,"
        "crashes,fix,can't access,cannot access,stuck,doesn't work,does not work,troubleshoot",
    ),
    "hours": (
        "opening hours hour open",
        "open,opening,close,closing,closed,hours,opening hours,what time,today,tomorrow,weekend,"
        "saturday,sunday,bank holiday,holiday,christmas,late night",
    ),
    "booking": (
        "booking book reservation appointment",
        "book,booking,reservation,reserve,table for,appointment,availability,available,slot,"
        "schedule,party of,reschedule,tonight",
    ),
    "allergens": (
        "allergen allergens allergy dietary",
        "allergy,allergic,allergen,gluten,gluten free,nut,nuts,peanut,dairy,lactose,vegan,"
        "vegetarian,coeliac,celiac,ingredient,ingredients,shellfish,halal,kosher,sesame",
    ),
    "positive": (
        "positive praise compliment happy",
        "thank,thanks,great,love,loved,excellent,amazing,happy,awesome,wonderful,recommend,"
        "perfect,fantastic,pleased,brilliant,delighted,best,superb",
    ),
    "negative": (
        "negative complaint unhappy angry",
        "terrible,awful,angry,disappointed,worst,bad,poor,unhappy,frustrated,horrible,complaint,"
        "unacceptable,rude,disgusted,furious,never again,waste",
    ),
    "hot": (
        "hot",
        "ready to buy,ready to sign,sign today,this week,asap,budget approved,budget is approved,"
        "send the contract,send a quote,start immediately,decision maker,purchase order,how soon",
    ),
    "warm": (
        "warm",
        "interested,considering,learn more,more information,curious,next quarter,compare,"
        "evaluating,exploring,brochure,tell me more",
    ),
    "cold": (
        "cold",
        "not interested,just browsing,maybe later,no budget,next year,not right now,"
        "no thanks,remove me,unsubscribe,not a priority",
    ),
}
_OWN_WORD, _PHRASE, _WORD = 3.0, 3.0, 2.0
_THRESHOLD = 0.3
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MAX_PHRASE = 4


def stem(word: str) -> str:
    """A crude but consistent suffix stripper (the same on labels, lexicon and text)."""
    word = word.lower().replace("'", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens."""
    return [stem(t) for t in _TOKEN.findall(text.lower())]


def _groups_for(label: str) -> list[str]:
    words = set(tokens(label))
    return [key for key, (names, _) in _LEXICON.items() if words & set(tokens(names))]


def _label_terms(labels: list[str]) -> dict[tuple[str, ...], dict[int, float]]:
    """Each term (a tuple of stemmed tokens) → weight per label index."""
    own = [set(tokens(label)) for label in labels]
    shared = {w for i, ws in enumerate(own) for w in ws if any(w in o for o in own[i + 1 :])}
    terms: dict[tuple[str, ...], dict[int, float]] = {}
    for index, label in enumerate(labels):
        for word in own[index] - shared:
            terms.setdefault((word,), {})[index] = _OWN_WORD
        for key in _groups_for(label):
            for entry in _LEXICON[key][1].split(","):
                term = tuple(tokens(entry))
                if not term or (len(term) == 1 and term[0] in shared):
                    continue
                weight = _PHRASE if len(term) > 1 else _WORD
                slot = terms.setdefault(term, {})
                slot[index] = max(slot.get(index, 0.0), weight)
    return terms


def label_scores(text: str, labels: list[str]) -> list[float]:
    """Evidence per label: longest-phrase-first term matches, each counted at most twice."""
    terms = _label_terms(labels)
    words = tokens(text)
    scores = [0.0] * len(labels)
    seen: Counter[tuple[str, ...]] = Counter()
    i = 0
    while i < len(words):
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            term = tuple(words[i : i + size])
            if term in terms:
                seen[term] += 1
                if seen[term] <= 2:
                    for index, weight in terms[term].items():
                        scores[index] += weight
                i += size
                break
        else:
            i += 1
    return scores


@dataclass(frozen=True)
class Category:
    """The result of `categorize`."""

    label: str
    confidence: float
    used_fallback: bool


def categorize(text: str, labels: list[str], fallback: str | None = None) -> Category:
    """The best-scoring label, with confidence from the margin over the runner-up."""
    scores = label_scores(text, labels)
    ranked = sorted(range(len(labels)), key=lambda i: (-scores[i], i))
    top = scores[ranked[0]]
    second = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = 0.0 if top <= 0 else (top - second) / top * (0.5 + 0.5 * min(1.0, top / 6))
    confidence = round(confidence, 2)
    if confidence < _THRESHOLD and fallback is not None:
        return Category(fallback, confidence, True)
    return Category(labels[ranked[0]], confidence, False)


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*•])")
_STOP_TEXT = (
    "a an and are as at be but by for from has have i in is it its of on or that the this to was "
    "were will with we you your our they he she them us me my so if not no do does did can could "
    "would should just also than then there their what which who when been being into about"
)
_STOPWORDS = frozenset(_STOP_TEXT.split())


def summarize(text: str, max_sentences: int = 3) -> str:
    """The highest-scoring sentences by word frequency, kept in their original order."""
    sentences = [s.strip() for s in _SENTENCE.split(text.strip()) if s and s.strip()]
    if len(sentences) <= max_sentences:
        return " ".join(sentences)
    freq = Counter(w for w in tokens(text) if w not in _STOPWORDS and len(w) > 2)
    peak = max(freq.values(), default=1)

    def score(sentence: str) -> float:
        words = [w for w in tokens(sentence) if w not in _STOPWORDS and len(w) > 2]
        return sum(freq[w] / peak for w in words) / (len(words) ** 0.5) if words else 0.0

    ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))
    chosen = sorted(ranked[:max_sentences])
    return " ".join(sentences[i] for i in chosen)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,3}"
)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})[a-z]*\.?(?:,?\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    r"|\b(?:next\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:today|tomorrow)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?[km]\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp|dollars|euros|pounds)\b",
    re.IGNORECASE,
)
_NAME = r"([A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?)"
_NAME_PATTERNS = (
    re.compile(rf"(?i:\bname\s*[:=]\s*){_NAME}"),
    re.compile(rf"(?i:\bmy name is\s+){_NAME}"),
    re.compile(rf"(?i:\b(?:i'm|i am|this is)\s+){_NAME}"),
    re.compile(
        rf"(?im:^\s*(?:thanks|thank you|cheers|best|regards|kind regards|best regards|many thanks)"
        rf"[,!.]?\s*\n\s*){_NAME}\s*$",
        re.MULTILINE,
    ),
)
_COUNT = re.compile(
    r"\b(\d{1,6})\s+(?:people|persons|guests|employees|staff|users|seats|members|heads|"
    r"of us|adults|kids|children|team members)\b"
    r"|\b(?:party of|table for|team of|headcount(?: of| is|:)?|group of)\s+(\d{1,6})\b",
    re.IGNORECASE,
)
_NOT_NAME_TEXT = "Hi Hello Dear Thanks Just Looking Interested Writing Sorry Not"
_NOT_NAMES = frozenset(_NOT_NAME_TEXT.split())


def _norm(field: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", field.lower()).strip("_")


def _field_lines(text: str) -> dict[str, str]:
    lines = re.findall(r"^\s*([A-Za-z][\w \-]{0,40}?)\s*:\s*(.+?)\s*$", text, re.MULTILINE)
    return {_norm(key): value for key, value in lines}


def find_name(text: str) -> str | None:
    """A person's name from "name:", "my name is", "I'm" or a sign-off line."""
    for pattern in _NAME_PATTERNS:
        for match in pattern.finditer(text):
            name = match.group(1).strip()
            if name.split()[0] not in _NOT_NAMES:
                return name
    return None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0).strip() if match else None


def _phone(text: str) -> str | None:
    for match in _PHONE.finditer(text):
        if sum(c.isdigit() for c in match.group(0)) >= 7:
            return match.group(0).strip()
    return None


def _count(text: str) -> int | None:
    match = _COUNT.search(text)
    return int(match.group(1) or match.group(2)) if match else None


def extract(text: str, fields: list[str]) -> dict[str, object]:
    """Values for the named fields: "field: value" lines first, then patterns by field kind."""
    lines = _field_lines(text)
    found: dict[str, object] = {}
    for field in fields:
        key = _norm(field)
        if key in lines:
            found[field] = lines[key]
            continue
        parts = set(key.split("_"))
        value: object = None
        if parts & {"email", "mail"}:
            value = _first(_EMAIL, text)
        elif parts & {"phone", "telephone", "mobile", "tel", "number"} and "of" not in parts:
            value = _phone(text)
        elif parts & {"date", "when", "deadline", "day", "time"}:
            value = _first(_DATE, text)
        elif parts & {"amount", "price", "total", "budget", "cost", "money", "value", "fee"}:
            value = _first(_MONEY, text)
        elif parts & {"headcount", "people", "guests", "size", "employees", "seats", "quantity",
                      "count", "users", "team"}:  # fmt: skip
            value = _count(text)
        elif parts & {"name", "contact", "customer", "sender"}:
            name = find_name(text)
            value = name.split()[0] if name and "first" in parts else name
        found[field] = value
    return found


_GREETING = {"formal": ("Dear {name},", "Kind regards,"), None: ("Hi {name},", "Best regards,")}
_PLACEHOLDER = re.compile(r"\{\s*(first_name|name|label|subject)\s*\}")


def draft_reply(
    message: str,
    label: str | None,
    templates: dict[str, str],
    tone: str | None = None,
    *,
    sender_name: str | None = None,
    subject: str | None = None,
) -> str:
    """The template for `label` (or "default") with the sender's name, else a polite reply."""
    full = (sender_name or "").strip() or find_name(message)
    first = full.split()[0] if full else None
    template = templates.get(label or "") or templates.get("default")
    if template:
        values = {
            "first_name": first or "there",
            "name": full or "there",
            "label": (label or "").replace("_", " "),
            "subject": (subject or "").strip() or "your message",
        }
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    hello, bye = _GREETING["formal" if tone and "formal" in tone.lower() else None]
    topic = f" about {label.replace('_', ' ')}" if label else ""
    return (
        f"{hello.format(name=first or 'there')}\n\n"
        f"Thank you for your message{topic}. We have received it and will get back to you "
        f"as soon as possible.\n\n{bye}"
    )
