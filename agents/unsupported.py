"""What Levqor cannot do by itself, told in words on a draft that works around it.

Levqor has no text-message (SMS) action: a draft that texts someone sends the text through
Twilio's web API (or WhatsApp's, Telegram's …), which needs that account's key. The draft card
says so and offers the channels that work without it: email or Slack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["spec_text", "texting_note", "translation_note"]

_TEXTING_HOSTS = (
    ("api.twilio.com", "text messages (SMS)", "Twilio"),
    ("graph.facebook.com", "WhatsApp messages", "WhatsApp"),
    ("api.telegram.org", "Telegram messages", "Telegram"),
)


def texting_note(spec: Mapping[str, Any]) -> str | None:
    """ "Levqor can't send text messages (SMS) itself: …" when a step texts someone, else None."""
    for step in spec.get("steps") or []:
        if not isinstance(step, Mapping) or step.get("action") != "http.request":
            continue
        url = str((step.get("inputs") or {}).get("url") or "")
        for host, what, service in _TEXTING_HOSTS:
            if host in url:
                return (
                    f"Levqor can't send {what} itself: this step sends them through {service}, "
                    f"which needs your {service} account's key. To get it by email or in Slack "
                    'instead, ask again with "email me" or "post in #channel" in place of the text.'
                )
    return None


_TRANSLATE = re.compile(
    r"\btranslat\w*|\b(?:into|in)\s+(?:english|spanish|french|german|italian|"
    r"portuguese|dutch|polish|chinese|japanese)\b(?=[^.]{0,40}\b(?:reply|send|post))"
)


def translation_note(request: str) -> str | None:
    """ "Levqor has no translation step yet …" when the request asks for a translation."""
    if not _TRANSLATE.search(request.lower()):
        return None
    return (
        "Levqor has no translation step yet, so this draft does not translate: the other steps "
        "run as described, on the text as it arrives."
    )


def spec_text(spec: Mapping[str, Any]) -> str:
    """The words a workflow was asked in (its description), for the notes above."""
    return str(spec.get("description") or "")
