"""Stand-in web addresses a draft may still hold, which no run can reach.

The planner drafts a call to a tool it knows only by name with a reserved address
("https://api.example.com/contacts"): the domains `example.com`, `example.net`, `example.org`
and the `.example` top-level domain are reserved for examples (RFC 2606) and never answer.
A version holding one is not approved until the address is filled in: approved, it would fail on
every run while its card looked fine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from workflows.describe_people import host_words
from workflows.spec import strings_in

_RESERVED = ("example.com", "example.net", "example.org")


def is_stand_in(url: str) -> bool:
    """Whether the URL's host is a reserved example name ("api.example.com", "x.example")."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if not host:
        return False
    return host.endswith(".example") or any(
        host == name or host.endswith("." + name) for name in _RESERVED
    )


def stand_in_steps(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """(“step name”, or "the Helpdesk step" for an unnamed one; address) for every step input
    holding a stand-in address, and for a stand-in page a page poll watches."""
    found: list[tuple[str, str]] = []
    trigger = spec.get("trigger")
    pages = trigger.get("pages") if isinstance(trigger, dict) else None
    for page in pages if isinstance(pages, list) else []:
        if isinstance(page, str) and is_stand_in(page):
            found.append(("the watched page", page.strip()))  # a page watch naming no page yet
            break
    for step in spec.get("steps") or []:
        if not isinstance(step, dict):
            continue
        name = step.get("name")
        label = f"“{name}”" if isinstance(name, str) and name else ""
        for _, value in strings_in(step.get("inputs")):
            if value.lstrip().lower().startswith(("http://", "https://")) and is_stand_in(value):
                found.append((label or f"the {host_words(value)} step", value.strip()))
                break
    return found


def stand_in_message(found: list[tuple[str, str]]) -> str:
    """What the approver reads: which steps still need a real address, in plain words."""
    names = ", ".join(f"{label} ({urlsplit(url).hostname})" for label, url in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    verb = "points" if len(found) == 1 else "point"
    return (
        f"This can't be approved yet: {names}{more} still {verb} at a stand-in web address, so "
        "every run would fail. Press Edit on the card and give the step its real address, or "
        "tell me here (“the address is https://…”), then approve the new version."
    )
