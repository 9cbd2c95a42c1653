"""AI steps a request asks for: extract fields, categorise, summarise, draft replies."""

from __future__ import annotations

import re

from agents.planner.intents import TriggerReading
from agents.planner.slots import Slots
from agents.planner.steps import StepList
from agents.planner.text import has

_EXTRACT = (
    r"\b(?:pull(?:s|ing)?\s+out|extract\w*|parse[sd]?|pars(?:ing)|pick(?:s|ing)?\s+out|"
    r"grab(?:s|bing)?\s+the|capture[sd]?)\b|"
    # "pull the buyer name, phone and company out of each one", "get the order number out of it"
    r"\b(?:pull|pulls|pulling|get|gets|take|takes|fish|fishes)\s+(?:the\s+|their\s+)?(?:[\w'+&/-]+,?\s+){1,10}?"
    r"out\s+of\s+(?:each|every|the|it|them|that|this)\b"
)
_CLASSIFY = (
    r"\b(?:classif\w*|categori[sz]\w*|sort(?:s|ing)?\s+(?:each|every|them|it|into|out)|triage\w*|"
    r"sentiment|work(?:s|ing)?\s+out\s+(?:which|if|whether)|figure(?:s|ing)?\s+out\s+(?:which|if|whether)|"
    r"decides?\s+(?:whether|if|which)|determines?\s+(?:whether|if|which)|is\s+urgent|spam|"
    r"qualif(?:y|ies|ied)|score[sd]?\s+(?:each|every|them|it|the|leads?|incoming)|"
    r"detects?|flags?\s+(?:the\s+)?(?:urgent|angry|spam|negative)|"
    r"(?:actually|really|genuinely|truly)\s+(?:negative|angry|upset|unhappy|positive|urgent))\b|"
    r"\b(?:ai|gpt|the\s+model)\s+(?:decides|judges|checks)\b|\blooks?\s+(?:angry|urgent|upset|negative)"
)
# Tagging or labelling is an AI step when AI is asked for ("have AI tag each email").
_AI_TAG = r"\b(?:tag(?:s|ging)?|label(?:s|ling)?)\s+(?:the|every|each|them|it)\b"
# AI writing a message someone will send: "have AI write a personalised intro email".
_AI_WRITES = (
    r"\b(?:write|draft|compose|personali[sz]e|generate)\w*\s+(?:an?\s+|the\s+)?(?:[a-z-]+\s+){0,2}"
    r"(?:e-?mail|message|note|intro|outreach)s?\b"
)
_DRAFT_REPLY = (
    r"\b(?:draft|write|suggest|compose|prepare)\w*\s+(?:an?\s+)?(?:[a-z-]+\s+)?(?:draft\s+)?"
    r"(?:reply|replies|response|responses|answer|answers)\b|\bcanned|\bstandard\s+info|"
    r"\bmatching\s+\w+\s+answer|\bright\s+(?:instructions|answer|reply|template)|"
    r"\b(?:ai|gpt)\s+(?:to\s+)?(?:answer|reply|respond)|"
    # "a telegram bot that answers questions with GPT"
    r"\b(?:answers?|answering|replies|replying|responds?|responding)\s+(?:to\s+)?(?:their\s+|the\s+)?"
    r"(?:questions?|messages?|queries|customers?|people|chats?)\b[^.]{0,30}\b(?:with|using|via|"
    r"through)\s+(?:an?\s+)?(?:ai|gpt\S*|chatgpt|claude|openai|gemini|llm|model)\b|"
    # "answer their question from our FAQ doc", "reply using the help centre"
    r"\b(?:answer|reply|respond)\w*\b[^.]{0,40}\b(?:from|using|with|based\s+on|out\s+of)\s+"
    r"(?:our|the|my)\s+(?:\w+\s+)?(?:faqs?|docs?|documentation|knowledge\s*base|kb|help\s*(?:centre|center|"
    r"docs|articles)|wiki|handbook|policies|notion)\b"
)
# A summary of writing (not of figures) is a model's work even when AI is not named: "a short
# summary of the changelog", "summarise each transcript", "tl;dr of the thread".
_TEXT_SUMMARY = (
    r"\b(?:summar(?:ize|ise|y|ies)|tl;?\s?dr|gist)\w*\s+(?:of\s+)?(?:the\s+|each\s+|every\s+|this\s+|"
    r"that\s+|their\s+|its\s+|his\s+|her\s+|our\s+|new\s+)?(?:[\w'-]+\s+){0,2}?(?:changelog|release\s+"
    r"notes|e-?mails?|articles?|transcripts?|tickets?|threads?|conversations?|blog\s+posts?|"
    r"news|comments?|calls?|meetings?|notes|messages?|documents?|docs?|pdfs?|contracts?|chats?|"
    r"replies|responses|answers|complaints?|papers?|videos?|episodes?|updates|inbox|feedback)\b"
)
_AUTO_REPLY = r"\bauto(?:matic(?:ally)?)?[\s-]?(?:repl|respon|answer)"
_DAY_WORD = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
# Work handed to AI in so many words: "have AI …", "let GPT …", "AI should …", "using AI".
_AI_ASKED = (
    r"\b(?:have|let|get|use|using|with|ask|make|by|via|through)\s+(?:the\s+)?(?:ai|gpt\S*|chatgpt|"
    r"claude|an?\s+llm|the\s+model|openai|dall-?e|midjourney|stable\s+diffusion|gemini|mistral|"
    r"llama|ollama|anthropic)\b|\b(?:ai|gpt|chatgpt|claude)\s+(?:should|will|can|could|must|to|then)\b|"
    r"\b(?:ai|gpt)[- ](?:written|generated|powered|drafted)\b"
)
_AI_VERB = r"\b(?:ai|gpt|chatgpt|claude|llm|model)\b(?:\s+\w+){0,3}?\s+(?P<verb>[a-z]+)"
_JUDGES = r"^(?:judge|decide|check|score|rate|flag|pick|choose|assess|evaluate|spot|tell|see)"
_READS = r"^(?:read|extract|pull|parse|find|get|grab|look)"
_WRITES = (
    r"^(?:write|draft|compose|turn|generate|create|make|rewrite|translate|reply|answer|respond|"
    r"personali[sz]e|come|suggest|prepare|craft)"
)


def add_ai(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """AI steps: extract fields, categorise, summarise, draft replies."""
    source = source_text(steps, trigger)
    if has(t, _EXTRACT) and slots.fields:
        steps.add("extract", "ai.extract", {"text": source, "fields": slots.fields})
    labels = labels_of(t)
    if labels or has(t, _CLASSIFY) or (slots.uses_ai and has(t, _AI_TAG)):
        chosen = labels or ["urgent", "normal"]
        ai_inputs = {"text": source, "labels": chosen, "fallback": chosen[-1]}
        steps.add("classify", "ai.categorize", ai_inputs)
    summary = has(t, r"\bsummar(?:ize|y|ies)|\bdigest\b|\bbullet|\bcouple\s+of\s+lines")
    if (summary and slots.uses_ai) or has(t, _TEXT_SUMMARY):
        steps.add("summarize", "ai.summarize", {"text": source, "max_sentences": 3})
    # A plain auto-reply ("auto reply saying thanks") sends fixed text; AI only writes replies
    # when the request involves AI or picks an answer per message.
    auto = has(t, _AUTO_REPLY) and (slots.uses_ai or bool(steps.first("ai.categorize")))
    if has(t, _DRAFT_REPLY) or auto or (slots.uses_ai and has(t, _AI_WRITES)):
        inputs: dict[str, object] = {"message": source}
        if steps.first("ai.categorize"):
            inputs["label"] = "{{ steps.classify.label }}"
        steps.add("draft_reply", "ai.draft_reply", inputs)
    if has(t, _AI_ASKED) and not any(
        str(s.get("action", "")).startswith("ai.") for s in steps.items
    ):
        _add_asked_ai(steps, t, source, slots)


def _add_asked_ai(steps: StepList, t: str, source: str, slots: Slots) -> None:
    """The AI step for work handed to AI that no rule above recognised, by what AI is to do."""
    verbs = [m.group("verb") for m in re.finditer(_AI_VERB, t)]
    verb = next((v for v in verbs if re.match(f"{_JUDGES}|{_READS}|{_WRITES}", v)), "")
    if re.match(_JUDGES, verb):
        chosen = labels_of(t) or ["yes", "no"]
        inputs = {"text": source, "labels": chosen, "fallback": chosen[-1]}
        steps.add("classify", "ai.categorize", inputs)
    elif re.match(_READS, verb):
        steps.add("extract", "ai.extract", {"text": source, "fields": slots.fields or ["details"]})
    elif re.match(_WRITES, verb):
        steps.add("draft_reply", "ai.draft_reply", {"message": source})
    else:
        steps.add("summarize", "ai.summarize", {"text": source, "max_sentences": 3})


def source_text(steps: StepList, trigger: TriggerReading) -> str:
    """The text AI steps work on: new feed items, sheet rows, the mail, or the trigger."""
    if steps.first("rss.new_items"):
        return "{{ steps.new_items['items'] | summary }}"
    if steps.first("sheets.read_rows"):
        return "{{ steps.read_rows.rows | summary }}"
    if trigger.kind == "email":
        return "{{ trigger.text }}"
    return "{{ trigger | summary }}"


_LEAD_IN = re.compile(
    r"^.*\b(?:into|as|either|between|like|to|:)\s+(?:an?\s+|the\s+)?|^(?:an?|the)\s+"
)
_TAIL = re.compile(
    r"\s+(?:and|then|or|so|but|to|with|send|post|reply|answer|forward|tag|flag|move|put|add)\b.*$"
)


def _trimmed(parts: list[str]) -> list[str]:
    """Labels without the words around the list ("sort into billing / … / other and send")."""
    if parts:
        parts[0] = _LEAD_IN.sub("", parts[0]).strip() or parts[0]
        parts[-1] = _TAIL.sub("", parts[-1]).strip() or parts[-1]
    return [p for p in parts if p]


def labels_of(t: str) -> list[str]:
    """Category labels the request lists ("billing / shipping / other", "as a, b or c")."""
    t = re.sub(r"https?://\S+|(?<![\w/])/[\w/.-]+", " ", t)  # a URL or path is not a label list
    match = re.search(r"\b([a-z][a-z -]{1,20}(?:\s*/\s*[a-z][a-z -]{1,20}){2,})", t)
    if match and not has(match.group(1), r"^\s*" + _DAY_WORD + r"\s*/"):
        parts = [p.strip() for p in match.group(1).split("/") if p.strip()][:8]
        return _trimmed(parts)
    match = re.search(r"\bas\s+([a-z]+(?:\s*,\s*[a-z]+)+\s*(?:or|and)\s+[a-z]+)\b", t)
    if match:
        return [p.strip() for p in re.split(r",|\bor\b|\band\b", match.group(1)) if p.strip()]
    match = re.search(
        r"\b(?:if|whether)\s+(?:it'?s|it\s+is|they'?re|they\s+are)\s+(?:an?\s+)?"
        r"([a-z]+(?:\s+[a-z]+)?(?:\s*,\s*(?:an?\s+)?[a-z]+(?:\s+[a-z]+)?)+\s*,?\s*or\s+(?:an?\s+)?"
        r"[a-z]+(?:\s+[a-z]+)?)",
        t,
    )
    if match:
        parts = re.split(r",|\bor\b", match.group(1))
        return [re.sub(r"^(?:an?)\s+", "", p.strip()) for p in parts if p.strip()][:8]
    match = re.search(r"\(([a-z -]+(?:\s*/\s*[a-z -]+)+)\)", t)
    if match and not has(match.group(1), r"^\s*" + _DAY_WORD + r"\s*/"):
        return [p.strip() for p in match.group(1).split("/") if p.strip()]
    # "sort each email (refund, product question, password, vendor invoice)"
    match = re.search(
        r"\b(?:sort|categori[sz]e|classify|label|tag|bucket|triage)\w*\b[^.()]{0,40}"
        r"\(([a-z][a-z' -]{1,25}(?:\s*,\s*[a-z][a-z' -]{1,25}){2,7})\)",
        t,
    )
    if match:
        return [re.sub(r"^(?:or|and)\s+", "", p.strip()) for p in match.group(1).split(",")]
    if has(t, r"\bsentiment\b"):
        return ["negative", "neutral", "positive"]
    return []
