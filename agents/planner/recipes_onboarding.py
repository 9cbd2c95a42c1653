"""customer-onboarding: a welcome email, then drip emails on the request's days, with milestones.

"When a new customer signs up, send a welcome email, then follow up on days 2, 5 and 14 — skip
the day 5 tip if they already created their first workflow" drafts the template's shape
(workflows/templates/customer-onboarding.yaml): the welcome email, a persisted wait before each
follow-up, and, for each follow-up a milestone can skip, a fresh `crm.get_contact` read whose
milestones (recorded through POST /api/milestones) the email's `when` checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agents.planner.intents import TriggerReading
from agents.planner.recipes_milestones import SIGNUP, milestone_skips
from agents.planner.slots import Slots

DEFAULT_DAYS = (2, 5, 14)
MAX_FOLLOW_UPS = 10
_HELLO = "Hi {{ trigger.name | default('there') }}, "
_KEPT = ("crm.upsert_contact", "crm.update_contact", "slack.post_message", "sheets.append_row",
         "email.send")  # fmt: skip
_DRIP = re.compile(
    r"\b(?:follow[- ]?ups?|follow\s+up|drip|tips?|check[- ]?ins?|nudges?|sequence|series)\b"
)
_WELCOME = re.compile(r"\b(?:welcome|onboard\w*)\b")
_SIGNUP = re.compile(SIGNUP)


def onboarding_drip(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """Reshape a signup's welcome-and-follow-ups draft after the customer-onboarding template."""
    t = slots.text
    if trigger.kind != "webhook" or not _WELCOME.search(t):
        return False
    if not (slots.drip_days or _DRIP.search(t)):
        return False
    steps: list[dict[str, Any]] = raw["steps"]
    drip = [s for s in steps if s.get("action") == "email.send" and _to_trigger(s)]
    kept = [s for s in steps if "wait" not in s and s not in drip]
    if not (drip or _SIGNUP.search(t)) or any(s.get("action") not in _KEPT for s in kept):
        return False
    if any(s.get("when") for s in kept):
        return False
    stop = next((str(s["when"]) for s in drip if s.get("when")), None)
    welcome_day = _welcome_day(t)
    days = [d for d in slots.drip_days if d > welcome_day][:MAX_FOLLOW_UPS]
    if not days:
        days = [welcome_day + d for d in DEFAULT_DAYS]
    request = str(raw.get("description", ""))
    words = _Words(_business(request), _help_url(request), _reply_to(request), days[-1])
    skips = [s for s in milestone_skips(t) if not (stop and s.milestone.startswith("cancel"))]
    subjects = _subjects(request)
    shaped = [words.welcome(), *kept]
    before = welcome_day
    taken: set[str] = set()
    reads = 0
    for position, day in enumerate(days):
        wait_id = f"wait_{day - before}d"
        wait_id = f"wait_until_day{day}" if wait_id in taken else wait_id
        taken.add(wait_id)
        gap = day - before
        shaped.append({"id": wait_id, "wait": f"{gap} day" if gap == 1 else f"{gap} days"})
        email = words.follow_up(position, len(days), day - welcome_day, day)
        if day in subjects:
            email["inputs"]["subject"] = subjects[day]
        rules = [s for s in skips if s.days is None or day in s.days]
        conditions = [stop] if stop else []
        if rules:
            read = f"day{day}_contact"
            shaped.append(_read_contact(read, again=reads > 0))
            reads += 1
            conditions += [
                f"'{s.milestone}' {'not in' if s.when_reached else 'in'} steps.{read}.milestones"
                for s in dict.fromkeys(rules)
            ]
        if conditions:
            email["when"] = " and ".join(conditions)
        shaped.append(email)
        before = day
    raw["steps"] = shaped
    raw["category"] = "sales_automation"
    return True


def _to_trigger(step: dict[str, Any]) -> bool:
    return "trigger.email" in str(step.get("inputs", {}).get("to", ""))


_WELCOME_DAY = re.compile(
    r"\bday\s+(\d{1,3})\s*[:=-]?\s*(?:a\s+|the\s+)?welcome\b|"
    r"\bwelcome\s+(?:e-?mail\s+)?on\s+day\s+(\d{1,3})\b"
)
_BUSINESS = re.compile(
    r"\b(?:welcome\s+(?:e-?mail\s+)?(?:to|from)|signs?\s+up\s+(?:for|to|on|with)|joins?)\s+"
    r"((?:[A-Z][\w&'.-]*)(?:\s+[A-Z][\w&'.-]*){0,3})"
)
_SUBJECT = re.compile(
    r"\bday\s+(\d{1,3})\s*[:=-]?\s*(?:'((?:[^'\"]|'(?=\w)){2,80}?)'(?!\w)|\"([^\"]{2,80})\")",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s,;)\"']+")
_REPLY_TO = re.compile(
    r"\brepl(?:y|ies)(?:[- ]to)?\s+(?:go(?:es)?\s+)?(?:to\s+)?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
    re.IGNORECASE,
)


def _welcome_day(t: str) -> int:
    """The day the welcome goes out on ("day 1 welcome"), 0 when it is straight away."""
    found = _WELCOME_DAY.search(t)
    return int(found.group(1) or found.group(2)) if found else 0


def _business(request: str) -> str:
    """The business the request names ("welcome to Acme Studio"), else the workspace's name."""
    found = _BUSINESS.search(request)
    return found.group(1).rstrip(".'") if found else "{{ workspace.name }}"


def _subjects(request: str) -> dict[int, str]:
    """Subjects the request gives its days ("day 5 'invite your team'"), as written."""
    subjects = {int(m.group(1)): m.group(2) or m.group(3) for m in _SUBJECT.finditer(request)}
    return {day: subject[:1].upper() + subject[1:] for day, subject in subjects.items()}


def _help_url(request: str) -> str | None:
    found = _URL.search(request)
    return found.group(0).rstrip(".") if found else None


def _reply_to(request: str) -> str | None:
    found = _REPLY_TO.search(request)
    return found.group(1) if found else None


def _read_contact(step_id: str, again: bool) -> dict[str, Any]:
    name = "Check the customer's milestones" + (" again" if again else "")
    inputs = {"email": "{{ trigger.email }}"}
    return {"id": step_id, "name": name, "action": "crm.get_contact", "inputs": inputs}


def _span(days: int) -> str:
    """How the template words a stretch of days: "two weeks" for 14, "5 days" for 5."""
    weeks = {7: "a week", 14: "two weeks", 21: "three weeks", 28: "four weeks", 30: "a month"}
    named = {1: "a day", 2: "two days", 3: "three days", 5: "five days", 10: "ten days"}
    return weeks.get(days) or named.get(days) or f"{days} days"


@dataclass(frozen=True)
class _Words:
    """The template's emails, worded for the request's business, days and addresses."""

    business: str
    help_url: str | None
    reply_to: str | None
    last_day: int

    def welcome(self) -> dict[str, Any]:
        help_ = f" or visit {self.help_url}" if self.help_url else ""
        text = (
            f"{_HELLO}welcome to {self.business}! We are glad to have you. Over the next "
            f"{_span(self.last_day)} we will send a few short tips to help you get going. Any "
            f"questions, just reply to this email{help_}."
        )
        return self._email("welcome", "Welcome email", f"Welcome to {self.business}!", text)

    def follow_up(self, position: int, count: int, since: int, day: int) -> dict[str, Any]:
        """The follow-up at `position` of `count`, `since` days after the welcome."""
        b, url = self.business, self.help_url
        if position == count - 1:
            span = _span(since)
            text = (
                f"{_HELLO}it has been {span}. Thank you for choosing {b}! If there is anything "
                "we could do better, we would love to hear it."
                + (f" Help is always at {url}." if url else "")
            )
            step_id = "two_weeks" if since == 14 else f"day{day}_email"
            subject = f"{span[:1].upper()}{span[1:]} with {b}"
            return self._email(step_id, f"{span.capitalize()} email", subject, text)
        if position == 0:
            text = (
                f"{_HELLO}here are the three things our happiest customers do in their first "
                "week, starting with the first one: getting set up."
                + (f" You can find step-by-step guides at {url}." if url else "")
            )
            subject = f"Getting started with {b}"
            return self._email("getting_started", "Getting-started tips", subject, text)
        text = (
            f"{_HELLO}you have been with {b} for {_span(since)} now. If you have not finished "
            "setting up yet, reply to this email and a real person will help"
            + (f", or follow the guide at {url}." if url else ".")
        )
        step_id = "check_in" if count == 3 else f"check_in_day{day}"
        return self._email(step_id, "Check-in email", f"How is it going with {b}?", text)

    def _email(self, step_id: str, name: str, subject: str, text: str) -> dict[str, Any]:
        inputs: dict[str, Any] = {"to": "{{ trigger.email }}", "drip": True}
        if self.reply_to:
            inputs["reply_to"] = self.reply_to
        inputs.update(subject=subject, text=text)
        return {"id": step_id, "name": name, "action": "email.send", "inputs": inputs}
