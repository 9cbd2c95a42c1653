"""Follow-up sequences: emails to the person an event is about, spaced by the request's waits.

"after someone opts in: email 1 straight away, email 2 three days later, email 3 a week after
that" and "abandoned checkout follow ups: one after a day, one after 3 days, and a last one after
a week with the code SAVE10" ask for a series of emails to whoever the event is about. Without
this shape the steps read as one notice to the owner ("New submission from …"), quietly not what
was asked. Onboarding (a welcome, then tips) has its own template (recipes_onboarding); this is
the same shape for any other person event: an email now when the request says so, then a
persisted wait and an email for each of the request's days.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner.intents import TriggerReading
from agents.planner.slots import Slots

MAX_EMAILS = 8
_HELLO = "Hi {{ trigger.name | default('there') }}, "
# The words of a series of messages: "follow ups", "nudge email", "email 2", "one after a day".
_SERIES = re.compile(
    r"\b(?:follow[- ]?ups?|follow\s+up|nudges?|drip|sequence|series|reminders?|"
    r"e-?mail\s+(?:#\s*)?[1-9]|(?:one|another|a\s+(?:last|final|second|third)(?:\s+one)?)\s+after|"
    r"(?:second|third|fourth|2nd|3rd|4th|last|final)\s+(?:one|e-?mail|message|nudge))\b"
)
_NOW = re.compile(
    r"\b(?:straight\s+away|right\s+away|immediately|instantly|at\s+once|e-?mail\s+(?:#\s*)?1|"
    r"first\s+one\s+(?:now|straight\s+away|right\s+away)|within\s+(?:a|5|five)\s+min\w*)\b"
)
# Messages to the team, not to the person: "remind me", "email HR if it isn't done".
_TO_US = re.compile(
    r"\b(?:e-?mail|remind|tell|notify|ping|text|message|alert|dm)\s+(?:me|us|myself|the\s+team|"
    r"our\s+team|hr|sales|support|the\s+manager|my\s+\w+)\b"
)
_WELCOME = re.compile(r"\b(?:welcome|onboard\w*)\b")
_KEPT = {"crm.upsert_contact", "crm.update_contact", "slack.post_message", "sheets.append_row"}
_CODE = re.compile(r"\b(?:code|coupon|voucher)\s+['\"]?([A-Z0-9][A-Z0-9_-]{2,20})\b", re.IGNORECASE)


def follow_up_sequence(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """Reshape a person event's emails into the requested series; False when it is no series."""
    t = slots.text
    if trigger.kind != "webhook" or not slots.drip_days or _WELCOME.search(t):
        return False
    if not _SERIES.search(t) or _TO_US.search(t):
        return False
    steps: list[dict[str, Any]] = raw.get("steps", [])
    emails = [s for s in steps if s.get("action") == "email.send"]
    kept = [s for s in steps if s not in emails and "wait" not in s]
    if any(s.get("action") not in _KEPT or s.get("when") for s in kept):
        return False
    if any(_named_recipient(s) for s in emails):
        return False  # the request names who gets the emails: not the event's person
    words = _Words.of(t, str(raw.get("description", "")))
    days = slots.drip_days[:MAX_EMAILS]
    shaped = list(kept)
    count = len(days) + (1 if _NOW.search(t) else 0)
    if _NOW.search(t):
        shaped.append(words.email("email_now", 0, count))
    before = 0
    for position, day in enumerate(days, start=count - len(days)):
        gap = day - before
        shaped.append(
            {"id": f"wait_until_day{day}", "wait": "1 day" if gap == 1 else f"{gap} days"}
        )
        shaped.append(words.email(f"day{day}_email", position, count, day))
        before = day
    raw["steps"] = shaped
    return True


def _named_recipient(step: dict[str, Any]) -> bool:
    to = str(step.get("inputs", {}).get("to", ""))
    return bool(to) and "trigger." not in to and to != "member:me"


class _Words:
    """Subjects and texts for the series, by what the event is about."""

    def __init__(self, kind: str, code: str | None) -> None:
        self.kind = kind
        self.code = code

    @classmethod
    def of(cls, text: str, request: str) -> _Words:
        code = _CODE.search(request)
        if re.search(r"\b(?:cart|basket|checkout)\b", text):
            kind = "checkout"
        elif re.search(r"\b(?:opts?\s*-?in|subscri\w+|newsletter|list)\b", text):
            kind = "opt_in"
        elif re.search(r"\b(?:quotes?|proposals?|estimates?)\b", text):
            kind = "quote"
        else:
            kind = "general"
        return cls(kind, code.group(1) if code else None)

    def email(self, step_id: str, position: int, count: int, day: int = 0) -> dict[str, Any]:
        last = position >= count - 1 and count > 1
        subject, text = self._words(day, last)
        if last and self.code:
            text += (
                f" Use the code {self.code} at checkout."
                if self.kind == "checkout"
                else (f" Your code: {self.code}.")
            )
        inputs = {"to": "{{ trigger.email }}", "drip": True, "subject": subject, "text": text}
        name = "First email" if day == 0 else f"Email on day {day}"
        return {"id": step_id, "name": name, "action": "email.send", "inputs": inputs}

    def _words(self, day: int, last: bool) -> tuple[str, str]:
        if self.kind == "checkout":
            if last:
                return (
                    "Last chance: your basket is still waiting",
                    f"{_HELLO}your basket is still saved, but not for much longer.",
                )
            return (
                "You left something in your basket",
                f"{_HELLO}you left a few things in your basket. They are saved for you: "
                "pick up where you left off whenever you are ready.",
            )
        if self.kind == "opt_in":
            if day == 0:
                return (
                    "Thanks for signing up to {{ workspace.name }}",
                    f"{_HELLO}thanks for signing up. You will hear from us now and then with "
                    "news worth your time.",
                )
            return (
                "A little more from {{ workspace.name }}",
                f"{_HELLO}here is a little more about what we do and how we can help. "
                "Reply to this email any time with questions.",
            )
        if self.kind == "quote":
            return (
                "Following up on your quote",
                f"{_HELLO}just checking you received our quote. Reply to this email with any "
                "questions.",
            )
        if day == 0:
            return (
                "Thanks from {{ workspace.name }}",
                f"{_HELLO}thank you. We will be in touch over the next few days.",
            )
        return (
            "Following up",
            f"{_HELLO}just following up. Reply to this email if there is anything we can help "
            "with.",
        )
