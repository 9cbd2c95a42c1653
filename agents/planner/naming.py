"""Short workflow names: "Weekly leads report", not the request cut mid-sentence.

A name is built from what the request is about (a topic such as leads, invoices or reviews), what
it makes (a report, a reminder, an alert, a sync) and, for clock triggers, how often. When nothing
is recognised, the name is the act the request asks for, in its words, without when it runs or
what starts it ("whenever a refund goes through in stripe, email the customer the amount" →
"Email the customer the amount"); failing that, the request's first clause, trimmed at a word that
can end a name.
"""

from __future__ import annotations

import re

from agents.planner.purpose import asked_for, purpose_of
from agents.planner.risk_cues import sends_in_bulk
from agents.planner.slots import CHANNEL, numbers_a_record

__all__ = ["short_name"]

MAX_WORDS = 6

# (pattern, words) — the first match in the request wins, so specific topics come first.
_TOPICS: tuple[tuple[str, str], ...] = (
    (r"\bfail(?:ed|ing|s|ures?)?\s+(?:payments?|charges?)|\bpayments?\s+fail|stripe\s+fails",
     "failed payment"),
    (r"\bunpaid\s+invoices?|\boverdue\s+invoices?|\binvoices?\b", "invoice"),
    (r"\bcontact\s+form\b", "contact form"),
    (r"\b(?:deals?\s+closed|closed\s+deals?|deals?\s+won)\b", "deals closed"),
    (r"\bdeals?\b|\bpipeline\b", "deal"),
    (r"\bleads?\b(?!\s+(?:is|are|on|at))", "leads"),
    (r"\bsign[- ]?ups?\b|\bnew\s+users?\b", "sign-up"),
    (r"\breviews?\b", "review"),
    (r"\bmentions?\b|\bbrand\b", "mention"),
    (r"\bsubscriptions?\s+cancel|\bcancel\w*\s+subscriptions?|\bchurn", "cancellation"),
    (r"\brefunds?\b", "refund"),
    (r"\bpayments?\b|\bpayouts?\b|\bcharges?\b", "payment"),
    (r"\borders?\b", "order"),
    (r"\bexpenses?\b", "expense"),
    (r"\bfeedback\b|\bsurveys?\b|\bnps\b", "feedback"),
    (r"\bapplications?\b|\bcvs?\b|\bcandidates?\b", "application"),
    (r"\bappointments?\b|\bbookings?\b|\bmeetings?\b|\bbook(?:s|ed)?\s+(?:a\s+|an\s+)?"
     r"(?:call|demo|slot|session|appointment|consultation)", "booking"),
    (r"\bpull\s+requests?\b|\bprs?\b", "pull request"),
    (r"\breleases?\b(?!\s+notes?\b)", "release"),
    (r"\barticles?\b|\bblog\s+posts?\b", "article"),
    (r"\bissues?\b(?=[^.]{0,30}\b(?:opened|created|filed|github|gitlab|jira|closed|labell?ed))",
     "issue"),
    (r"\bdeploy(?:s|ments?)?\b|\bbuilds?\s+(?:fail|break|pass)", "deploy"),
    (r"\b(?:throws?|raises?|logs?|\d{3})\s+(?:an?\s+|any\s+)?(?:\w+\s+)?(?:errors?|exceptions?)\b",
     "error"),
    (r"\bsupport\b|\btickets?\b", "support"),
    (r"\bshipments?\b|\btracking\b", "shipment"),
    (r"\bonboarding\b|\bnew\s+customers?\b|\bwelcome\b", "onboarding"),
    (r"\bwebsite\b|\bsite\b|\buptime\b|\bgoes\s+down\b|\b(?:is|it'?s|are)\s+down\b|"
     r"/[\w/-]*health\w*|\bhealth\s*-?checks?\b", "website"),
    (r"\bcompetitors?\b", "competitor"),
    (r"\bsales\b|\brevenue\b", "sales"),
)  # fmt: skip
# Used only when no topic above is named.
_GENERIC: tuple[tuple[str, str], ...] = (
    (r"\bcustomers?\b|\bclients?\b", "customer"),
    (r"\bemails?\b|\binbox\b", "email"),
)

_KINDS: tuple[tuple[str, str], ...] = (
    (r"\breports?\b(?!\s+(?:to|for|back)\b)|\bstats\b|\bkpis?\b|\bnumbers\b|\bfigures\b", "report"),
    (r"\bdigest\b", "digest"),
    (r"\bbriefing\b", "briefing"),
    (r"\bsummar(?:y|ies|ise|ize)\b|\brecap\b", "summary"),
    (r"\breminders?\b|\bremind\b|\bchase\b|\bnudge\b", "reminders"),
    (r"\bthank(?:s|\s+(?:them|him|her|you|the\s+\w+))\b", "thank-you"),
    (r"\blist\s+of\b", "list"),
    (r"\bforward", "forwarding"),
    (r"\bconfirmations?\b", "confirmations"),
    (r"\b(?:score|categori[sz]e|classify|triage|sentiment)\w*", "triage"),
    (r"\bauto[- ]?repl(?:y|ies)\b|\brepl(?:y|ies)\b|\brespond\b", "auto-reply"),
    (r"\bfollow[- ]?ups?\b", "follow-up"),
    (r"\bsync\w*\b|\bin\s+sync\b", "sync"),
    (r"\bbackups?\b|\bback\s+up\b", "backup"),
    (r"\bmonitor\w*\b|\bwatch\b|\bkeep\s+an\s+eye\b|\bgoes\s+down\b|\b(?:is|it'?s)\s+down\b",
     "monitor"),
    (r"\balerts?\b|\bnotify\b|\bping\b|\btell\b|\blet\s+\w+\s+know\b|->|→|\bpost\b|"
     r"\b(?:text|e-?mail|sms|message)\s+(?:me|us)\b|\btext\s*[+&/]", "alerts"),
)  # fmt: skip

_CADENCE: tuple[tuple[str, str], ...] = (
    (r"\bhourly\b|\bevery\s+hour\b", "Hourly"),
    (r"\b(?:each|every)\s+month\b|\bof\s+(?:the|each|every)\s+month\b|\bmonthly\b", "Monthly"),
    (
        r"\bevery\s+other\s+(?:week|mon|tue|wed|thu|fri|sat|sun)\w*|\bfortnight\w*|\bbi-?weekly\b",
        "Fortnightly",
    ),
    (r"\bweekly\b|\bevery\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*|\b(?:mon|fri)days?\b", "Weekly"),
    (r"\bmonthly\b|\bof\s+the\s+month\b|\bevery\s+month\b|\b1st\b", "Monthly"),
    (r"\bdaily\b|\bevery\s+(?:day|morning|evening|night)\b|\bnightly\b|\bweekdays\b", "Daily"),
)

_DESTINATIONS: tuple[tuple[str, str], ...] = (
    (r"(#[a-z0-9][\w-]*)", ""),
    (r"\bhubspot\b", "HubSpot"),
    (r"\bcrm\b", "CRM"),
    (r"\b(?:google\s+)?sheets?\b|\bspreadsheet\b", "the sheet"),
    (r"\bslack\b", "Slack"),
)

_LEAD_IN = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|please|pls|levqor)[,!]?\s+)*"
    r"(?:(?:can|could|would)\s+you\s+|i\s+(?:want|need|would\s+like|'d\s+like)\s+(?:you\s+)?(?:to\s+)?|"
    r"(?:please\s+)?(?:set\s+up|create|make|build)\s+(?:a|an|me\s+a)?\s*"
    r"(?:workflow|automation)?\s*(?:that|to|which)?\s*)?",
)
# A clock or "when" opening says when, not what: "Fri 4:30pm send …", "Whenever a … comes in".
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|weekdays?|daily|nightly|hourly|every\s+\w+"
_WHEN_LEAD = re.compile(
    rf"^(?:(?:{_DAY})\s*,?\s*)*(?:(?:at|from|by)\s+)?"
    r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?(?:\s*[-\u2013]\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)?)?"
    r"\s*(?:[,:\u2014\u2013-]+\s*)?(?:(?:when|whenever|if|once)\s+)?",
)
# Words a name should not end on.
_DANGLING = {
    "a", "an", "the", "on", "in", "at", "to", "of", "for", "and", "or", "with", "from", "our",
    "my", "your", "their", "by", "into", "as", "that", "which", "who", "when", "if", "is", "are",
    "every", "each", "me", "us", "them", "it", "this", "then", "but", "so", "than",
}  # fmt: skip


def short_name(request: str, trigger_kind: str) -> str:
    """A name of a few words saying what the workflow is about (capitalised, under 60 chars)."""
    text = re.sub(r"\s+", " ", request).strip()
    lowered = text.lower()
    deleting = _deleting(lowered)
    if deleting:
        return deleting
    purpose = purpose_of(lowered)
    if purpose.kind == "review":  # "ask the customer to leave us a google review"
        return "Review request"
    topic = _earliest(_TOPICS, lowered) or _earliest(_GENERIC, lowered)
    kind = _first(_KINDS, lowered)
    point = purpose.point
    if (kind == "reminders" or purpose.kind == "reminder") and point:
        cadence = _first(_CADENCE, lowered) if trigger_kind == "schedule" else None
        named = point.removesuffix(" reminder") if point.endswith(" reminder") else None
        thing = _earliest(_TOPICS, lowered) or named or _singular_word(point.split()[-1])
        if thing in _NO_CONTENT:  # "remind them to update it": say the act, not "It reminder"
            return _act_phrase(text) or _capital(" ".join(w for w in (cadence, "reminder") if w))
        return _capital(" ".join(w for w in (cadence, thing, "reminder") if w))
    if topic and kind:
        cadence = _first(_CADENCE, lowered) if trigger_kind == "schedule" else None
        if kind in ("report", "digest", "summary", "briefing", "list") and cadence:
            return _capital(f"{cadence} {topic} {kind}")
        if kind == "alerts":
            where = _destination(text)
            return _capital(f"{_singular(topic)} alerts" + (f" to {where}" if where else ""))
        return _capital(f"{_singular(topic)} {kind}")
    if topic and (where := _destination(text)):
        return _capital(f"{_plural(topic)} to {where}")
    cadence = _first(_CADENCE, lowered) if trigger_kind == "schedule" else None
    if kind and cadence:
        return f"{cadence} {kind}"
    if topic and cadence:  # "every monday email me last week's payments": a regular update
        return _capital(f"{cadence} {topic} update")
    if topic == "feedback" and not kind:  # "email them a quick survey about the repair"
        return "Feedback request"
    if (
        topic == "support"
        and not kind
        and re.search(r"\btickets?\b", lowered)
        and re.search(r"\b(?:e-?mail|send|notify|post|tell|message|text|ping|alert)\w*\b", lowered)
    ):
        # "when a new ticket gets created send the customer an email": about each ticket
        to_them = re.search(r"\b(?:customer|client|them|requester|sender|person)\b", lowered)
        return "Ticket confirmation" if to_them else "Ticket alerts"
    about = re.search(  # "email all our users about the planned downtime and the new features"
        r"\b(?:e-?mail|send|tell|notify|message|text|announce)\w*\b[^.]{0,60}?\babout\s+"
        r"(?:the\s+|our\s+|a\s+|an\s+)?([a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,3}?)(?=\s+and\b|[.,;!?]|$)",
        lowered,
    )
    if about and sends_in_bulk(lowered):
        return _capital(f"{about.group(1)} announcement")
    clause = _clause(text)
    sent = asked_for(lowered)
    if sent and 1 < len(sent.split()) <= 4 and len(clause.split()) >= MAX_WORDS - 1:
        # "email the whole team the new rota next tuesday 9am": named by what it sends, not
        # the request cut after six words ("Email the whole team the new")
        return _capital(_cased_as_written(sent, text))
    return clause


def _deleting(text: str) -> str | None:
    """ "Delete inactive HubSpot contacts" for a request that deletes records."""
    found = re.match(
        r"^(?:please\s+)?(delete|remove|purge|erase|archive)\s+(?:all\s+|every\s+)?(?:of\s+)?"
        r"(?:the\s+|our\s+|my\s+)?(?:old\s+|inactive\s+|stale\s+)?"
        r"(contacts?|leads?|rows?|records?|subscribers?|customers?|deals?|files?)\b",
        text,
    ) or re.search(  # "every night purge the audit logs older than 2 years"
        r"\b(delete|remove|purge|erase)\s+(?:all\s+|every\s+)?(?:the\s+|our\s+|my\s+)?"
        r"(?:old\s+|inactive\s+|stale\s+)?((?:[a-z]+\s+)?(?:logs?|messages?|accounts?|records?|"
        r"files?|backups?|orgs?|entries|tickets?|posts?|comments?))\b(?=[^.]{0,20}\b(?:older|over|"
        r"more\s+than|never|inactive|that|who|which|from|in)\b)",
        text,
    )
    if not found:
        return _wiping(text)
    inactive = re.search(
        r"\b(?:inactive|never|haven'?t|hasn'?t|have\s+not|has\s+not|not\s+(?:opened|engaged|active|"
        r"updated|touched)|no\s+activity|stale|old)\b",
        text,
    )
    where = next((w for p, w in _DESTINATIONS[1:] if w != "Slack" and re.search(p, text)), None)
    thing = found.group(2) if found.group(2).endswith("s") else found.group(2) + "s"
    words = [found.group(1), "inactive" if inactive else "", where or "", thing]
    return _capital(" ".join(w for w in words if w).replace("the sheet rows", "sheet rows"))


# "wipe", "get rid of", "trash": deleting said another way ("every friday wipe the old invoices
# from our dropbox"), named as the delete it is, never as an "update" of what it deletes.
_WIPE = re.compile(
    r"\b(?:wipe|trash|clear\s+out|clean\s+out|get\s+rid\s+of|throw\s+away|bin)\s+"
    r"(?:all\s+|every\s+)?(?:of\s+)?(?:the\s+|our\s+|my\s+|those\s+)?"
    r"(?:(old|older|inactive|stale|unused|completed|archived|expired)\s+)?"
    r"((?:[a-z]+\s+){0,2}(?:invoices?|files?|documents?|photos?|images?|backups?|emails?|mails?|"
    r"messages?|tasks?|cards?|orders?|records?|rows?|contacts?|leads?|logs?|tickets?|posts?|"
    r"accounts?|newsletters?|uploads?|folders?))\b"
)


def _wiping(text: str) -> str | None:
    found = _WIPE.search(text)
    if not found:
        return None
    thing = found.group(2) if found.group(2).endswith("s") else found.group(2) + "s"
    where = next((w for p, w in _DESTINATIONS[1:] if w != "Slack" and re.search(p, text)), None)
    words = ["delete", found.group(1) or "", where or "", thing]
    return _capital(" ".join(w for w in words if w))


def ending_on_a_whole_word(text: str) -> str:
    """`text` without the words a name should not end on ("… every contact in hubspot that")."""
    words = text.split(" ")
    while len(words) > 2 and words[-1].lower().strip("'\"") in _DANGLING:
        words.pop()
    return " ".join(words)


def _singular_word(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _earliest(table: tuple[tuple[str, str], ...], text: str) -> str | None:
    """The topic mentioned first in the request (ties: the more specific, listed first)."""
    found = [
        (m.start(), i, words) for i, (p, words) in enumerate(table) if (m := re.search(p, text))
    ]
    return min(found)[2] if found else None


def _first(table: tuple[tuple[str, str], ...], text: str) -> str | None:
    for pattern, words in table:
        if re.search(pattern, text):
            return words
    return None


def _destination(text: str) -> str | None:
    lowered = text.lower()
    for number in reversed(list(CHANNEL.finditer(lowered))):
        if numbers_a_record(lowered, number):  # "ticket #XXXX": a number, not a channel
            text = text[: number.start()] + text[number.end() :]
    for pattern, words in _DESTINATIONS:
        found = re.search(pattern, text, re.IGNORECASE)
        if found:
            return words or found.group(1).lower()
    return None


def _singular(topic: str) -> str:
    return {"leads": "lead", "deals closed": "closed deal"}.get(topic, topic)


def _plural(topic: str) -> str:
    if topic in ("leads", "deals closed", "support", "feedback", "onboarding", "website"):
        return topic
    return topic if topic.endswith("s") else f"{topic}s"


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]


# Times and days say when, not what: they are left out of a name built from the request's words
# ("every 2 weeks pull fresh records …" → "Pull fresh records").
_DAYNAME = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?s?"
_TIME_WORDS = re.compile(
    r"\b(?:every|each|once\s+(?:a|an|every|each|per)|twice\s+(?:a|an|every|each|per)|per)\s+"
    r"(?:other\s+|second\s+|single\s+)?(?:\d+\s+)?(?:business\s+|working\s+|week\s*)?"
    r"(?:minutes?|mins?|hours?|days?|weeks?|months?|years?|quarters?|mornings?|evenings?|nights?|"
    rf"afternoons?|weekdays?|weekends?|workdays?|{_DAYNAME})\b|"
    r"\b(?:once|twice)\s+(?:a|an|per)\s+(?:day|week|month|year|quarter)\b|"
    rf"\b{_DAYNAME}(?:\s*[-\u2013/]\s*{_DAYNAME})?(?:\s+(?:mornings?|evenings?|nights?|"
    r"afternoons?))?\b|"
    r"\b(?:daily|weekly|monthly|nightly|hourly|yearly|annually|fortnightly|weekdays|workdays)\b|"
    r"\b(?:and\s+)?(?:again\s+)?(?:at|by|around)\s+\d{1,2}(?:[:.]\d{2})?"
    r"\s*(?:am|pm|a\.m\.|p\.m\.)?(?:\s+and\s+\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)?\b|"
    r"\b(?:before|after|from|until|till)\s+\d{1,2}(?::\d{2}\s*(?:am|pm)?|\s*(?:am|pm))\b|"
    r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)\b|"
    # "24 hours before their trial ends", "2 months in advance": a lead, said by "before"
    r"\b(?:\d{1,3}|an?|one|two|three|four|five|six|seven|ten|fourteen|thirty|a\s+few|"
    r"a\s+couple\s+of|a\s+(?:set|fixed|given)\s+number\s+of)\s+(?:hours?|days?|weeks?|months?)"
    r"(?=\s+(?:before|after|ahead|prior|in\s+advance|early|earlier|later)\b)|"
    # "at half past eight", "a quarter to nine", "at noon", "at seven o'clock": spoken times
    r"\b(?:at\s+)?(?:half\s+past|(?:a\s+)?quarter\s+(?:past|to|after))\s+(?:\d{1,2}|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|eleven|twelve)\b|\b(?:at\s+)?(?:noon|midnight|midday)\b|"
    r"\bat\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s+o'?clock)?\b|"
    r"\b\d{1,2}\s+o'?clock\b|"
    r"\b(?:on\s+)?(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)|first|last|second|third|final)\s+"
    r"(?:(?:business|working|week)\s+)?(?:day\s+)?(?:of\s+(?:the|each|every)\s+"
    r"(?:month|quarter|year))?|"
    # "from 9 to 5", "8am-6pm", "PST", "UTC+2": a time of day or its zone
    r"\b(?:from\s+|between\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?\s*(?:to|-|\u2013|until|till|and)\s*"
    r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?(?!\s*(?:%|days?|weeks?|months?|hours?|minutes?|items?|\w+s)\b)\b|"
    r"\b(?:utc|gmt|pst|pdt|est|edt|cst|cdt|mst|mdt|bst|cet|cest|ist|aest|aedt)(?:\s*[+-]\s*\d{1,2})?\b|"
    # "tomorrow's meetings", "today's orders": the day names what is sent, kept
    r"\b(?:this|next|tomorrow|tonight|today)\b(?!['\u2019]s\b)(?:\s+(?:morning|evening|night|afternoon|week|month|"
    rf"{_DAYNAME}))?|"
    r"\b(?:in\s+the\s+)?(?:morning|evening|afternoon)s?\b|"
    r"\b[a-z]+\s+time\b(?=\s*(?:,|$|\b(?:post|send|email|remind|check|run)))"
)
_TIME_WORDS_ANY_CASE = re.compile(_TIME_WORDS.pattern, re.IGNORECASE)
# Where what happens begins after the event that starts it: "when a refund goes through, email …".
_EVENT_START = re.compile(
    r"^(?:when(?:ever)?|if|once|as\s+soon\s+as|every\s+time|each\s+time|any\s*time|after|"
    r"for)\b"
)
# Verbs a workflow's act begins with.
_ACT_VERBS = (
    "email|e-mail|send|post|text|sms|notify|ping|tell|alert|message|dm|add|create|update|cancel|"
    "refund|delete|remove|move|mark|save|log|put|push|pull|sync|copy|forward|reply|respond|answer|"
    "assign|invite|set|charge|generate|make|share|drop|publish|archive|tag|label|book|open|close|"
    "pay|issue|invoice|deactivate|upload|export|import|write|draft|summari[sz]e|translate|check|"
    "remind|wipe|purge|erase|clear|clean|rotate|reset|backup|back|welcome|thank|ask|request|"
    "collect|gather|fetch|get|grab|watch|monitor|track|scan|score|classify|categori[sz]e|sort|"
    "route|escalate|convert|attach|store|record|enrich|tweet|announce|schedule|approve|reject|"
    "transfer|refresh|rebuild|merge|deploy|restart|run|start|stop|pause|resume|switch|change|"
    "apply|give|grant|revoke|block|ban|kick|subscribe|unsubscribe|enroll|enrol|register|build|"
    "compile|prepare|produce|list|count|total|compare|review|flag|file|keep|chase|follow|"
    "anonymi[sz]e|retry|hide|disable|enable|suspend|broadcast|blast|onboard|offboard|provision|"
    "print|call|whatsapp|slack|approve|decline|calculate|reconcile|transcribe|extract|read|"
    "process|handle|take|work|place|fill|submit|complete|link|connect|mirror|duplicate|rename|"
    "download|nudge|warn|greet|congratulate|celebrate|digest|queue|show|display|highlight|zero|"
    "credit|debit|top|bump|raise|lower|discount|extend|renew|upgrade|downgrade"
)
_ACT_VERB = re.compile(rf"\b(?:{_ACT_VERBS})(?:s|es)?\b")
_ACT_LEAD = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|please|pls|just|also|then|and)[,!]?\s+)*"
    # "one-off job: create …", "one time task - import …"
    r"(?:(?:one[- ]?off|one[- ]time|single)\s+(?:job|task|run|thing)\s*[:,-]\s*)?"
    r"(?:(?:can|could|would|will)\s+(?:you|it|we|levqor)\s+(?:please\s+)?(?:just\s+)?|"
    r"(?:i|we)\s+(?:want|need|would\s+like|'d\s+like|wanna)\s+(?:you\s+|it\s+|levqor\s+)?"
    r"(?:to\s+)?|(?:i|we)\s+(?:want|need)\s+(?:a|an)\s+|"
    r"let\s+(?:me|us|people|them|the\s+team)\s+|make\s+sure\s+(?:to\s+|we\s+|it\s+)?|"
    r"(?:add|make|create|build|give\s+(?:me|us))\s+(?:a|an)\s+(?:button|one[\s-]click)\s+"
    r"(?:job|task|action|workflow|thing)?\s*(?:that|to|which)?\s*|"
    r"(?:please\s+)?(?:set\s+up|create|make|build)\s+(?:a|an|me\s+a)?\s*"
    r"(?:workflow|automation)\s*(?:that|to|which)?\s*|automatically\s+|auto\s+|"
    # "wait 2 hours and email …", "have AI draft a reply": the act is the verb after
    r"wait\s+(?:[\w-]+\s+){0,3}?(?:and|then)\s+|"
    r"(?:have|get|let)\s+(?:ai|it|the\s+bot|the\s+ai|chatgpt|gpt|claude|an?\s+ai)\s+)*"
)
# Words after which the rest of the act narrows or places it: a name stops before them.
_NARROWS = frozenset(
    re.findall(
        r"\S+",
        "to into in on at from for with via through by that who which whose where when whenever if "
        "once after before until unless so because but then as about than using every each "
        "automatically straight right immediately asap too also older newer over under more less "
        "fewer whether plus",
    )
)
# Words an act's object begins with ("email the customer", "send them", "cancel every …").
_OBJECT_START = (
    r"the|a|an|them|him|her|it|their|our|us|me|my|his|its|that|this|those|these|every|each|all|"
    r"any|some|everyone|everybody|anyone|out|up|back|[\d$#@][\w.,$#@-]*"
)
# Words that do not yet say what an act is done to ("email it", "text everyone").
_NO_CONTENT = frozenset(
    re.findall(
        r"\S+",
        "it them him her me us you the a an our their my his its this that these those every "
        "each all any some everyone anyone everybody anybody",
    )
)
# Third-person verbs said back as a command ("deletes every entry" → "Delete every entry").
_THIRD_PERSON = re.compile(r"^([a-z]+?)(?:es|s)$")


def _act_phrase(text: str) -> str | None:
    """The act the request asks for, in its words, without when it runs or what starts it
    ("whenever a refund goes through in stripe, email the customer the amount" → "Email the
    customer the amount"); None when no act can be told apart."""
    lowered = re.sub(r"https?://(?:www\.)?([^/\s]+)\S*", r"\1", text.lower())
    lowered = re.sub(r"\s+", " ", _TIME_WORDS.sub(" ", lowered)).strip(" ,.-:")
    lowered = re.sub(r"^(?:(?:on|at|in|and|,)\s+)+", "", lowered)
    lead = _EVENT_START.match(lowered)
    if lead:
        parts = re.split(r",|;|\s[-\u2013]\s|->|\u2192|\bthen\b", lowered, maxsplit=1)
        after = parts[1].strip() if len(parts) == 2 else ""
        if after and _ACT_VERB.match(_ACT_LEAD.sub("", after, count=1)):
            lowered = after  # "when a refund goes through, email the customer …"
        else:
            # no comma: the act is the first act verb said as a command ("email the customer"),
            # after the event's own subject and verb
            words = (parts[0] if after else lowered).split(" ")
            first = len(lead.group(0).split()) + 2
            start = next(
                (
                    i
                    for i in range(first, len(words) - 1)
                    if _ACT_VERB.fullmatch(words[i])
                    and not words[i].endswith("s")
                    and re.fullmatch(_OBJECT_START, words[i + 1])
                ),
                None,
            )
            if start is None:
                return None
            lowered = " ".join(words[start:])
    lowered = _ACT_LEAD.sub("", lowered.strip(" ,.-:"), count=1)
    clause = re.split(
        r"[,;:!?()\u2014\u2013\u2192\"]|\.(?=\s|$)|\s[->]+\s|\s->|\bthen\b", lowered, maxsplit=1
    )[0].strip()
    words = [w for w in clause.split(" ") if w]
    if len(words) < 2 or not _ACT_VERB.fullmatch(words[0]):
        return None
    verb = _THIRD_PERSON.match(words[0])
    if verb and words[0] not in ("pass", "process", "address", "access", "sms", "dms", "news"):
        base = (
            words[0][:-2] if words[0].endswith(("shes", "ches", "sses", "xes")) else words[0][:-1]
        )
        words[0] = base
    kept = words[:1]
    for index, word in enumerate(words[1:], 1):
        said = any(w not in _NO_CONTENT for w in kept[1:])  # "email it": not yet what is sent
        if word in ("and", "or", "&"):
            following = words[index + 1] if index + 1 < len(words) else ""
            if said and _ACT_VERB.fullmatch(following):
                break  # "… and email the team": a second act
        elif said and word in _NARROWS:
            following = words[index + 1] if index + 1 < len(words) else ""
            if not (word == "from" and "." in following.strip(".")):
                break  # "… from news.example.org": where it comes from names it
        kept.append(word)
        if len(kept) >= MAX_WORDS:
            break
    while len(kept) > 2 and len(" ".join(kept)) > 45:
        kept.pop()
    name = ending_on_a_whole_word(" ".join(kept)).strip(" '\"-")
    if len(kept) > 2 and kept[-1] in ("it", "them") and _ACT_VERB.fullmatch(kept[-2]):
        name = " ".join(kept)  # "remind them to update it": the act ends on what it is done to
    name = re.sub(r"\b(?:their|his|her)\b", "the", name) if len(kept) > 2 else name
    return _capital(_cased_as_written(name, text))[:60] if len(name.split()) >= 2 else None


def _cased_as_written(name: str, text: str) -> str:
    """Each word as the request wrote it ("Stripe", "HubSpot", "#sales")."""
    written = {w.lower(): w for w in re.findall(r"[\w#@'.-]+", text) if not w.islower()}
    return " ".join(written.get(w, w) for w in name.split(" "))


def _clause(text: str) -> str:
    """The request's first clause without its lead-in, cut at a word that can end a name."""
    act = _act_phrase(text)
    if act is not None:
        return act
    text = re.sub(r"https?://(?:www\.)?([^/\s]+)\S*", r"\1", text)  # a web address by its site
    lowered = _WHEN_LEAD.sub("", _LEAD_IN.sub("", text.lower(), count=1), count=1)
    body = text[len(text) - len(lowered) :] if lowered else text
    # a time said in words is not a name ("every weekday at half past eight: one email …")
    untimed = re.sub(r"\s+", " ", _TIME_WORDS_ANY_CASE.sub(" ", body)).strip(" ,.-:")
    if re.search(r"[a-z]", untimed):
        body = untimed
    clause = re.split(
        r"[,;:!?()\u2014\u2013→]|\.(?=\s|$)|\s[->]+\s|\s->|\bthen\b", body, maxsplit=1
    )[0]
    words = [w for w in clause.split(" ") if w][:MAX_WORDS]
    name = ending_on_a_whole_word(" ".join(words)).strip(" '\"-") or "Draft workflow"
    return _capital(name)[:60]
