"""Replies to the sender of an email acknowledge it, written for its category; never an echo.

An auto-responder's reply is drafted by `ai.draft_reply`: with a model configured it drafts an
answer and quotes the original below it; offline it uses the acknowledgement written here for
the email's category, with the sender's name and the subject filled in.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner.steps import StepList
from agents.planner.text import has

_SIGN_OFF = "\n\nBest regards,\n{{ workspace.name }}"
_KINDS: tuple[tuple[str, str, str], ...] = (
    ("spam", r"\bspam\b|\bjunk\b|\bnewsletters?\b|\bads?\b|\bmarketing\b", ""),
    ("billing", r"\bbill\w*|\binvoice\w*|\bpayments?\b|\bcharges?\b|\brefunds?\b|\bprices?\b",
     "Our billing team has your message and will reply within one business day."),
    ("shipping", r"\bship\w*|\bdeliver\w*|\btracking\b|\border\s*status|\bwhere\s+is|\border\b",
     "We're checking on your order now and will send you an update shortly."),
    ("returns", r"\breturns?\b|\bexchanges?\b|\bcancel\w*",
     "We've received your request and will confirm the next steps within one business day."),
    ("complaint", r"\bcomplain\w*|\bangry\b|\bupset\b|\bunhappy\b|\bescalat\w*|\burgent\b",
     "We're sorry to hear about this. A member of our team is looking into it now and will "
     "get back to you personally today."),
    ("booking", r"\bbook\w*|\breserv\w*|\bappointments?\b|\btables?\b|\bschedul\w*",
     "We've received your booking request and will confirm it shortly."),
    ("sales", r"\bsales\b|\bleads?\b|\bquotes?\b|\bpricing\b|\bdemo\b|\bpartner\w*|\benquir\w*",
     "Thanks for your interest. Someone from our team will be in touch within one business day."),
    ("support", r"\bsupport\b|\btechnical\b|\bbugs?\b|\bproblems?\b|\bissues?\b|\bquestions?\b|"
     r"\bproduct\b|\bhelp\b|\bhow\b",
     "Our support team has your message and will reply as soon as possible."),
)  # fmt: skip
_DEFAULT = "We've received your message and will get back to you as soon as possible."
_PLAIN = (
    "Hi {{ (trigger.from_name or 'there').split()[0] }},\n\nThank you for your email about "
    "“{{ trigger.subject or 'your message' }}”. " + _DEFAULT + _SIGN_OFF
)


def acknowledgement(label: str) -> str | None:
    """The written acknowledgement for a category ("" for spam: no reply), None if unknown."""
    for _, pattern, body in _KINDS:
        if has(label.lower(), pattern):
            return _letter(body) if body else ""
    return None


def offline_templates(labels: list[str]) -> dict[str, str]:
    """An acknowledgement for each label, plus a default for anything else."""
    written = {label: text for label in labels if (text := acknowledgement(label)) is not None}
    return {label: text for label, text in written.items() if text} | {"default": _letter(_DEFAULT)}


def _letter(body: str) -> str:
    return "Hi {first_name},\n\nThank you for your email about “{subject}”. " + body + _SIGN_OFF


# Replies drafted for a person to send: "have a draft reply ready for us to approve", "write a
# draft reply … i'll send them myself", "don't send it".
_DRAFT_ONLY = re.compile(
    r"\bdrafts?\s+(?:a\s+)?(?:repl(?:y|ies)|responses?|answers?)\b[^.]{0,80}?\b(?:ready\s+for\s+"
    r"(?:us|me)|for\s+(?:us|me)\s+to\s+(?:approve|review|check|send|look\s+at))|"
    r"\b(?:i|we)(?:'ll|\s+will|'d|\s+would)?\s+send\s+(?:them|it|those|the\s+repl(?:y|ies))\s+"
    r"(?:myself|ourselves)\b|\b(?:don'?t|do\s+not|never)\s+send\s+(?:it|them|the\s+repl(?:y|ies))\b"
)


def acknowledge_replies(steps: StepList, trigger_kind: str, text: str = "") -> None:
    """Make every reply to the email's sender an acknowledgement drafted per category; a reply
    the request keeps for a person to send goes to them as a draft instead."""
    if trigger_kind != "email":
        return
    if _DRAFT_ONLY.search(text):
        _drafts_for_us(steps, text)
        return
    replies = [s for s in steps.items if _replies_to_sender(s)]
    if not replies:
        return
    classify = steps.first("ai.categorize")
    labels: list[str] = []
    if classify:
        step = next(s for s in steps.items if s["id"] == classify)
        labels = [str(x) for x in step["inputs"].get("labels", [])]
    draft_id = steps.first("ai.draft_reply")
    if draft_id is None and classify is None:
        for reply in replies:  # one fixed acknowledgement: no AI needed
            if _echoes(reply["inputs"].get("text")):
                reply["inputs"]["text"] = _PLAIN
        return
    if draft_id is None:
        draft_id = _insert_draft(steps, replies[0], classify)
    draft = next(s for s in steps.items if s["id"] == draft_id)
    inputs: dict[str, Any] = draft["inputs"]
    inputs.setdefault("sender_name", "{{ trigger.from_name }}")
    inputs.setdefault("subject", "{{ trigger.subject }}")
    inputs.setdefault("offline_templates", offline_templates(labels))
    spam = [label for label in labels if acknowledgement(label) == ""]
    for reply in replies:
        if _echoes(reply["inputs"].get("text")):
            reply["inputs"]["text"] = "{{ steps." + draft_id + ".reply }}"
        if spam and classify and "when" not in reply:
            reply["when"] = f"steps.{classify}.label not in {spam!r}"


def _insert_draft(steps: StepList, before: dict[str, Any], classify: str | None) -> str:
    inputs: dict[str, Any] = {"message": "{{ trigger.text }}"}
    if classify:
        inputs["label"] = "{{ steps." + classify + ".label }}"
    step_id = steps.add("draft_reply", "ai.draft_reply", inputs)
    added = steps.items.pop()
    steps.items.insert(steps.items.index(before), added)
    return step_id


def _replies_to_sender(step: dict[str, Any]) -> bool:
    return step.get("action") == "email.send" and "trigger.from" in str(
        step.get("inputs", {}).get("to", "")
    )


def _echoes(text: Any) -> bool:
    """Whether a reply's text just repeats the incoming mail back to its sender."""
    return not isinstance(text, str) or text.strip() in (
        "{{ trigger | summary }}",
        "{{ trigger.text }}",
        "",
    )


def _drafts_for_us(steps: StepList, text: str) -> None:
    """The replies drafted, sent to the person (or team) who sends them: nothing reaches the
    sender of the mail."""
    replies = [s for s in steps.items if _replies_to_sender(s)]
    if not replies:
        return
    ours = [
        s
        for s in steps.items
        if s.get("action") == "email.send" and "member:" in str(s["inputs"].get("to", ""))
    ]
    if ours:  # the draft already goes to them: the replies to the sender are dropped
        steps.items[:] = [s for s in steps.items if s not in replies]
        return
    draft_id = steps.first("ai.draft_reply") or _insert_draft(steps, replies[0], None)
    us = re.search(r"\b(?:us|we|our\s+team)\b", text) is not None
    for reply in replies:
        reply["inputs"] = {
            "to": ["member:team"] if us else ["member:me"],
            "subject": "Draft reply to {{ trigger.from }}: {{ trigger.subject }}",
            "text": "{{ steps." + draft_id + ".reply }}\n\n(A draft: nothing was sent.)",
        }
