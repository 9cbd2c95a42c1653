"""What a drafted message is for, read from the request: a reminder, a thank-you, a welcome …

"remind #team to submit timesheets" is a reminder whose point is "submit your timesheets";
"thank them by email" is a thank-you; "notify #sales" is an alert. The composer writes the
message and its subject from this, so a message is written text, never a dump of the trigger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agents.planner.recipients import PEOPLE

__all__ = ["Purpose", "asked_for", "purpose_of"]

Kind = Literal[
    "reminder",
    "thanks",
    "welcome",
    "confirmation",
    "review",
    "feedback",
    "follow_up",
    "summary",
    "alert",
]

_CUT = (
    r"(?=\s*(?:[,.;!?\u2013\u2014(]|-\s|$|\s(?:every|each|on|at|by|before|after|when|whenever|if|unless|via|"
    r"next|this|tomorrow|tonight|today|"
    r"through|in\s+#|on\s+slack|by\s+email|and\s+(?:post|send|email|tell|notify|also)|then)\b))"
)
_REMIND = (
    r"\bremind(?:er|ing)?s?\s+(?:(?:me|us|them|everyone|people|(?:all\s+)?(?:the\s+|our\s+|my\s+)?(?:employees|"
    r"staff|colleagues|co-?workers|team\s+members)|(?:the|our|my)\s+(?:\w+\s+)?\w+|#[\w-]+|@[\w.-]+|"
    r"[\w.+-]+@[\w.-]+)\s+(?:(?:in|on|via|by)\s+(?:#[\w-]+|slack|e-?mail)\s+)?"
    # "remind me in slack every day at 22:00 to log my hours": the time between
    r"(?:(?:every|each|daily|at|on)\b[^,.;]{0,30}?\s)?)?(?:to|that|about|of)\s+(?![#@])"
    r"(?!(?:whoever|whomever|anyone|everyone|everybody|someone|somebody)\b)"
    r"(?!(?:the|our|my|each|every|all|any)\s+(?:\w+\s+)?" + PEOPLE + r"\b)(?P<what>.{3,80}?)" + _CUT
)
_REMINDER_TO = (
    r"\breminders?\s+(?:(?:to|for|in|on)\s+(?:#[\w-]+|@[\w.-]+|me|us|everyone|(?:the|our)\s+\w+)\s+)?"
    r"(?:to|that|about|of|for)\s+(?![#@])(?!(?:the|our|my|each|every|all|any)\s)"
    r"(?!(?:whoever|whomever|anyone|everyone|everybody|someone|somebody)\b)(?P<what>.{3,80}?)"
    + _CUT
)
# "payday reminder to #staff", "timesheet reminder email": the reminder named by what it is for
_NAMED_REMINDER = (
    r"\b(?!(?:a|an|the|each|every|any|daily|weekly|monthly|yearly|friendly|quick|short|gentle|"
    r"automatic|auto|"
    r"this|that|our|my|your|email|slack|sms|text|polite|kind|nice|brief|courteous|soft|firm|"
    r"urgent|final|last|first|second|third|next|another|one|same|new|regular|simple|little|"
    r"personal|custom|standard)\b)(?P<what>[a-z]{3,20})\s+reminders?\b"
)
_KINDS: tuple[tuple[Kind, str], ...] = (
    ("thanks", r"\bthank(?:s|\s+(?:them|him|her|you|the\s+\w+|each|every))?\b|\bgratitude\b"),
    ("welcome", r"\bwelcom\w*\b|\bonboard\w*\b"),
    ("confirmation", r"\bconfirm\w*\b"),
    # asking for a public review: "ask them to leave us a google review", "a review link"
    (
        "review",
        r"\b(?:leave|write|post|give)\s+(?:us\s+)?(?:a\s+|an\s+)?(?:[\w-]+\s+){0,3}?reviews?\b|"
        r"\breview\s+(?:requests?|links?)\b|\bask\w*\s+(?:\w+\s+){0,3}?for\s+(?:a\s+)?reviews?\b",
    ),
    # asking how it went: "a quick survey about the repair", "ask for their feedback"
    (
        "feedback",
        r"\bsurveys?\b|\bfeedback\b|\bhow\s+(?:did\s+we\s+do|it\s+went|we\s+did)\b|"
        r"\brate\s+(?:us|their|the)\b",
    ),
    ("follow_up", r"\bfollow[- ]?\s*ups?\b|\bcheck\s+in\s+with\b"),
    ("reminder", r"\bremind\w*\b|\bnudge\w*\b|\bchase\b"),
    ("summary", r"\bsummar\w*\b|\breports?\b|\bdigest\b|\brecap\b|\blist\s+of\b|\bcounts?\b"),
)
# Possessives seen from the reader: "submit their timesheets" -> "submit your timesheets".
_OWNERS = {"their": "your", "his": "your", "her": "your", "my": "your", "our": "your"}
_DETERMINERS = r"(?:the|a|an|your|their|his|her|my|our|this|that|these|those|any|all|some|each)"


@dataclass(frozen=True)
class Purpose:
    """What the message is for, and its point in words ("submit your timesheets")."""

    kind: Kind
    point: str | None = None

    def reminder_text(self) -> str:
        """ "Reminder: please submit your timesheets." (or "Reminder: the dentist.", "Payday
        reminder.")."""
        if not self.point:
            return "Reminder"
        if self.point.endswith(" reminder"):
            return f"{self.point.capitalize()}."
        if re.match(r"^(?:the|a|an|your)\b", self.point):
            return f"Reminder: {self.point}."
        return f"Reminder: please {self.point}."

    def reminder_subject(self) -> str:
        """ "Reminder: submit your timesheets"."""
        if self.point and self.point.endswith(" reminder"):
            return self.point.capitalize()
        return f"Reminder: {self.point}" if self.point else "Reminder"


def purpose_of(text: str) -> Purpose:
    """The message's purpose in a lower-cased request (an alert when nothing else is said)."""
    found = re.search(_REMINDER_TO, text) or re.search(_REMIND, text)
    if found:
        return Purpose("reminder", _point(found.group("what")))
    named = re.search(_NAMED_REMINDER, text)
    if named:
        return Purpose("reminder", f"{named.group('what')} reminder")
    for kind, pattern in _KINDS:
        if re.search(pattern, text):
            return Purpose(kind)
    return Purpose("alert")


def _point(what: str) -> str:
    words = what.strip(" '\"").split()
    words = [_OWNERS.get(w, w) for w in words]
    if (
        len(words) >= 2
        and not re.fullmatch(_DETERMINERS, words[0])  # "the prs" is no verb and its object
        and not re.fullmatch(_DETERMINERS, words[1])
        and _is_verb_first(words)
    ):
        words.insert(1, "your")  # "submit timesheets" -> "submit your timesheets"
    return " ".join(words)


def _is_verb_first(words: list[str]) -> bool:
    """Whether the point starts with a verb taking a bare plural object ("submit timesheets")."""
    return words[1].endswith("s") and not words[1].endswith("ss") and len(words) == 2


def asked_for(text: str) -> str | None:
    """What a request asks to be sent, in its words ("open zendesk tickets count")."""
    found = re.search(
        r"\b(?:post|send|email|e-mail|share|give|message|slack)\s+(?:me\s+|us\s+|them\s+|everyone\s+|"
        r"(?:the|our)\s+(?:whole\s+|entire\s+)?(?:team|crew|staff)\s+|[\w.+-]+@[\w.-]+\s+|#[\w-]+\s+)?(?P<what>(?:the\s+|a\s+|our\s+)?"
        r"[a-z][\w' -]{2,60}?)\s+(?:to|in|into|on|with|via)\s+(?:#|me\b|us\b|the\b|slack\b|"
        r"[\w.+-]+@)",
        text,
    ) or re.search(
        r"\b(?:post|send|email|e-mail|share)\s+(?:me\s+|us\s+|everyone\s+|"
        r"(?:the|our)\s+(?:whole\s+|entire\s+)?(?:team|crew|staff)\s+|[\w.+-]+@[\w.-]+\s+)"
        r"(?P<what>(?:the\s+|a\s+)?[a-z][\w' -]{2,60}?)" + _CUT,
        text,
    )
    if not found:
        return None
    what = re.sub(r"^(?:the|a|our)\s+", "", found.group("what").strip())
    if re.fullmatch(r"(?:it|them|this|that|an?\s+\w+|message|update|alert|email|note)", what):
        return None
    return what
