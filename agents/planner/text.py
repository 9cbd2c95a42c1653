"""Normalise a request before matching: lower case, plain dashes, common chat spellings fixed."""

from __future__ import annotations

import re

# Chat shorthand and frequent misspellings of words the planner keys on (general English, not
# sentences): each maps a whole word to its usual spelling.
_WORD_FIXES = {
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "shud": "should",
    "knwo": "know",
    "teh": "the",
    "mentons": "mentions",
    "mentiosn": "mentions",
    "invoces": "invoices",
    "invocies": "invoices",
    "invioces": "invoices",
    "recieve": "receive",
    "recieved": "received",
    "emial": "email",
    "emails": "emails",
    "summarise": "summarize",
    "summarised": "summarized",
    "summarising": "summarizing",
    "categorise": "categorize",
    "yesterdays": "yesterday's",
    "isnt": "isn't",
    "dont": "don't",
    "doesnt": "doesn't",
    "cant": "can't",
    "wont": "won't",
    "w/": "with",
    "msg": "message",
    "mins": "minutes",
    "min": "minutes",
    "hrs": "hours",
    "tmrw": "tomorrow",
    "asap": "right now",
    "wkly": "weekly",
    "wk": "week",
    "mth": "month",
    "mthly": "monthly",
    "invoce": "invoice",
    "adress": "address",
    "calender": "calendar",
    "shedule": "schedule",
    "everyday": "every day",
    "thx": "thanks",
    "convo": "conversation",
    "convos": "conversations",
}
_WORD = re.compile(r"[a-z/']+")
# A quoted phrase: an apostrophe inside a word ("we're") does not close it.
_QUOTED_PHRASE = re.compile(
    r"(?:^|(?<=[\s(:]))(?:'(?:[^'\"]|'(?=[a-z]))+?'|\"[^\"]+?\")(?=[\s,.;:!?)]|$)"
)
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
# "m-f 9am", "m-th": the days written as their first letters, Monday to Friday or Thursday
_LETTER_DAYS = re.compile(r"(?<![\w-])m\s?-\s?(f|th)(?![\w-])")
# "24hr", "every hr", "an hr later": the hour; "our HR spreadsheet", "email hr" name the team
# "fridays @ 5", "mon @9am": the sign for "at" before a time (an address or handle keeps it)
_AT_SIGN = re.compile(r"(?:(?<=\s)|^)@\s*(?=\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m|p\.m)?\b(?![.@]\w))")
_HOUR_HR = re.compile(r"(\d\s?|\b(?:an|per|every|each|one|half|a)\s)hr\b")


def normalise(text: str) -> str:
    """Lower-case `text`, turn typographic dashes/quotes plain and fix common chat spellings."""
    lowered = _DASHES.sub("-", text.lower()).replace("\u2019", "'").replace("\u2018", "'")
    lowered = lowered.replace("\u201c", '"').replace("\u201d", '"')
    lowered = _LETTER_DAYS.sub(lambda m: "mon-fri" if m.group(1) == "f" else "mon-thu", lowered)
    lowered = _HOUR_HR.sub(lambda m: f"{m.group(1)}hour", lowered)
    lowered = _AT_SIGN.sub("at ", lowered)
    return _WORD.sub(lambda m: _WORD_FIXES.get(m.group(0), m.group(0)), lowered)


# "deals with no activity for 30 days should be moved to closed lost": an act said in the
# passive, about records that are not an event ("when …" clauses are left alone).
_PASSIVE = re.compile(
    r"(?:^|(?<=[.;!?]\s)|(?<=\s-\s))(?P<subject>(?!(?:[^.;!?]*?\b(?:when|whenever|if|once|after|"
    r"as\s+soon\s+as|each\s+time|every\s+time|i|we|you|it|they)\b))[a-z][^.;!?,]{2,80}?)\s+"
    r"(?:should|must|needs?\s+to|have\s+to|has\s+to|are\s+to|is\s+to)\s+(?:automatically\s+)?"
    r"(?:be|get)\s+(?:automatically\s+)?(?P<verb>moved|tagged|marked|deleted|removed|archived|"
    r"closed|assigned|added|updated|flagged|emailed|reminded|copied|synced|posted|labell?ed|"
    r"sent|notified|cancel+ed|disabled|deactivated|suspended)\b"
    # "should get tagged cold": tagged as cold
    r"(?P<bare>(?<=tagged|marked)(?=\s+(?!as\b|to\b|with\b|in\b|on\b|by\b)[a-z]))?"
)
_ACTIVE = {
    "moved": "move", "tagged": "tag", "marked": "mark", "deleted": "delete",
    "removed": "remove", "archived": "archive", "closed": "close", "assigned": "assign",
    "added": "add", "updated": "update", "flagged": "flag", "emailed": "email",
    "reminded": "remind", "copied": "copy", "synced": "sync", "posted": "post",
    "labelled": "label", "labeled": "label", "sent": "send", "notified": "notify",
    "cancelled": "cancel", "canceled": "cancel", "disabled": "disable",
    "deactivated": "deactivate", "suspended": "suspend",
}  # fmt: skip


# "pet owners should get an email a week before …", "new members need to receive a welcome
# text": who receives it is said first, as the subject.
_RECEIVER_FIRST = re.compile(
    r"(?:^|(?<=[.;!?]\s))(?P<subject>(?!(?:[^.;!?]*?\b(?:when|whenever|if|once|after|i|we|you|"
    r"it|they)\b))[a-z][^.;!?,]{2,60}?)\s+(?:should|must|needs?\s+to|have\s+to|has\s+to|will)\s+"
    r"(?:automatically\s+)?(?:get|receive)\s+(?P<what>an?\s+(?:[\w-]+\s+){0,2}?"
    r"(?:e-?mail|text|sms|reminder|message))\b"
)
_SENT_AS = {"text": "text", "sms": "text", "message": "message"}


def active_voice(text: str) -> str:
    """A lower-cased request with an act said in the passive said as an instruction: "deals
    idle for 30 days should be moved to closed lost" → "move deals idle for 30 days to closed
    lost". Events ("when a deal is moved …") and people's own acts are left as they are."""

    def said(found: re.Match[str]) -> str:
        bare = " as" if found.group("bare") is not None else ""
        return f"{_ACTIVE[found.group('verb')]} {found.group('subject')}{bare}"

    def sent(found: re.Match[str]) -> str:
        kind = found.group("what").split()[-1]
        return f"{_SENT_AS.get(kind, 'email')} {found.group('subject')} {found.group('what')}"

    return _RECEIVER_FIRST.sub(sent, _PASSIVE.sub(said, text))


def strip_quoted(text: str) -> str:
    """`text` with quoted phrases blanked ("'are you open on sundays'" names no schedule)."""
    return _QUOTED_PHRASE.sub(" ", text)


def has(text: str, pattern: str) -> bool:
    """Whether the regex `pattern` occurs in `text` (word boundaries are the caller's)."""
    return re.search(pattern, text) is not None


# "remind #core about the weekly sync": a meeting, not keeping two tools in step
_SYNC_MEETING = re.compile(
    r"\b(?:the|our|a|this|next|weekly|daily|monthly|team|quick|morning|standing)\s+"
    r"(?:(?:weekly|daily|monthly|team|quick|morning|standing|design|product|sales|eng)\s+)?"
    r"sync\b(?:\s+(?:meeting|call|up))?"
    r"(?!\s+(?:with|between|to|from|of|our|my|the|all|every|new|them|it|contacts|data|is\s+broken))"
)


# A sync that fails is an event to hear about, not a sync to build: "whenever a shared source
# sync fails", "if the nightly sync errors out".
_SYNC_FAILING = re.compile(
    r"\bsync(?:s|ing)?(?:\s+(?:job|run|task))?\s+(?:fails?|failed|failing|breaks?|broke|errors?|"
    r"errored|stops?|stopped|stalls?|stalled|is\s+(?:failing|stuck))\b"
)


def sync_meetings_masked(text: str) -> str:
    """`text` with a sync meeting ("the weekly sync") said as "meeting", and a sync that fails
    as "run" (an event, not a sync asked for)."""
    return _SYNC_FAILING.sub(" run fails", _SYNC_MEETING.sub(" meeting", text))


# Kinds of mail or tickets to sort by, not secrets: "sort each email (refund, product question,
# password, vendor invoice)", "tag them as billing, password reset, other": a list of labels.
_SORT_VERB = r"\b(?:sort|sorts|categori[sz]e\w*|classif\w+|label\w*|tag\w*|bucket\w*|triage\w*)\b"
_LABEL_LIST = re.compile(
    _SORT_VERB
    + r"[^.()]{0,40}\((?:[^(),]{1,30},\s*){2,}[^(),]{1,30}\)|"
    + _SORT_VERB
    + r"[^.]{0,40}?\b(?:into|as|by|under)\s+(?:[\w' -]{1,30},\s*){2,}(?:(?:and|or)\s+)?"
    r"[\w' -]{1,30}"
)


def labels_masked(text: str) -> str:
    """The request with lists of labels to sort by blanked ("(refund, password, other)"): they
    name kinds of mail, not a refund to make or a password to send."""
    return _LABEL_LIST.sub(lambda m: " " * len(m.group(0)), text)


# Where a post goes is not a feed read: "post it on the company linkedin page", "repost it to
# facebook, twitter and linkedin", "share each one to our mastodon".
_POSTED_TO = re.compile(
    r"\b(?:post|posts|posting|share|shares|sharing|repost\w*|cross-?post\w*|publish\w*|tweet\w*|"
    r"put|puts)\b[^.;]{0,40}?\b(?:on|to|onto|in|from)\s+(?:our\s+|the\s+|my\s+|their\s+)?"
    r"(?:company\s+|business\s+|brand\s+|lab's\s+|own\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:linkedin|facebook|twitter|x|instagram|mastodon|bluesky|threads|tiktok|discord|telegram)"
    r"(?:\s*(?:,|and|&)\s*(?:linkedin|facebook|twitter|x|instagram|mastodon|bluesky|threads))*"
    r"(?:\s+(?:page|account|profile|channel|group|handle))?\b"
)


def posted_to_masked(text: str) -> str:
    """The request with the networks it posts to blanked: where a post goes is no feed to read."""
    return _POSTED_TO.sub(" ", text)


# Initialisms a business writes in capitals: a sheet called "hr tracker" is the "HR Tracker".
_INITIALISMS = frozenset(
    {"hr", "crm", "kpi", "kpis", "qa", "seo", "ppc", "sla", "slas", "pto", "nps", "okr", "okrs",
     "mrr", "arr", "roi", "utm", "vip", "vips", "faq", "faqs", "api", "b2b", "b2c", "pr", "prs",
     "po", "sku", "skus", "rsvp", "rsvps", "hq", "uk", "eu", "usa"}
)  # fmt: skip


def title_words(text: str) -> str:
    """`text` in title case, initialisms in capitals ("hr leave tracker" → "HR Leave Tracker")."""
    return " ".join(
        (w[:-1].upper() + "s" if w.endswith("s") and w[:-1] in _INITIALISMS else w.upper())
        if w in _INITIALISMS
        else w.title()
        for w in text.split()
    )
