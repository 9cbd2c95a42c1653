"""An act the rules have no step for, drafted as a call to the tool that does it.

"upload it to that customer's FTP server", "add loyalty points to the customer's card", "open a
ConnectWise ticket", "stamp the won date on the organisation": the request says plainly what
should happen, in a tool Levqor has no integration for. Asking "What should it do?" would make
the person say it again. Instead the draft gets one step, named in the request's own words, that
sends the record to that tool's API at a stand-in address (`tools.stand_in_api`): the card says
what the step does, and the version cannot be approved until the real address is filled in
(`workflows.stand_ins`). A request that says nothing to do ("help with my leads") gets none.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner import tools
from agents.planner.intents import without_start
from agents.planner.text import has

__all__ = ["act_step", "ftp_note"]

# Verbs that change or make something in a tool; reading, telling and sending are other rules'.
_ACT_VERBS = (
    r"upload|uploads|export|exports|import|imports|create|creates|open|opens|add|adds|update|"
    r"updates|set|sets|mark|marks|move|moves|copy|copies|attach|attaches|stamp|stamps|assign|"
    r"assigns|reassign|reassigns|change|changes|generate|generates|build|builds|make|makes|"
    r"convert|converts|push|pushes|archive|archives|tag|tags|label|labels|close|closes|book|"
    r"books|register|registers|enrol|enroll|enrols|enrolls|publish|publishes|print|prints|"
    r"save|saves|store|stores|log|logs|file|files|submit|submits|pull|pulls|bulk\s+update|"
    r"become|becomes|turn|turns|put|puts|drop|drops|give|gives|credit|credits|award|awards"
)
_ACT = re.compile(
    r"\b(?P<verb>" + _ACT_VERBS + r")\b\s+(?P<rest>[^.;!?\n]{3,120})",
    re.IGNORECASE,
)
# Words after the verb that name nothing to do: "make it simpler", "set it up", "add more".
_EMPTY = re.compile(
    r"^(?:it|this|that|them|things?|stuff|something|everything|sure|up|more|better|easier|"
    r"simpler|faster|smoother|work|happen)\b(?:\s+(?:up|simpler|easier|better|work|happen|"
    r"automatic\w*|smoother|faster))?\s*$",
    re.IGNORECASE,
)
# Where the act lands, to name the stand-in address: "to that customer's FTP server", "in our
# members database", "on the Deck board", "a connectwise ticket".
_PLACE = re.compile(
    r"\b(?:to|into|in|on|onto|inside|at)\s+(?:the\s+|our\s+|my\s+|their\s+|that\s+|each\s+|every\s+)?"
    r"(?:[\w-]+'s?\s+)?(?P<place>(?:[\w.-]+\s+){0,2}?(?:ftp(?:\s+(?:server|folder|site))?|sftp|"
    r"server|database|db|system|app|portal|board|account|platform|software|tool|dashboard|"
    r"folder|drive|warehouse|erp|crm))\b",
    re.IGNORECASE,
)
_FTP = re.compile(r"\bs?ftp\b", re.IGNORECASE)


# What a loose request makes: "set up some automations", "one system that handles all of it",
# "make our sales process less manual", "turn our emails into data".
_LOOSE_OBJECT = re.compile(
    r"\b(?:automat\w*|systems?|process(?:es)?|workflows?|more|less|better|useful|manual|"
    r"everything|all\s+of\s+it|whole\s+thing|side|stuff|things?|something|data|easier|simpler|"
    r"smoother|faster|efficient|streamlined|possible)\b",
    re.IGNORECASE,
)
# An act someone else is asked to do: "remind them to submit their hours", "ask them to update".
_ASKED_OF_OTHERS = re.compile(
    r"\b(?:remind|ask|tell|get|nudge|chase|encourage|invite|want|wants|need|needs|like|help|"
    r"how|can't|cannot|forget|forgets|forgot)\b[^.]{0,50}\bto\s+$",
    re.IGNORECASE,
)


def act_step(text: str) -> dict[str, Any] | None:
    """One step that does the act the request names in a tool, or None when it names none."""
    acts = without_start(text)
    found = next(
        (m for m in _ACT.finditer(acts) if not _ASKED_OF_OTHERS.search(acts[: m.start()])), None
    )
    if found is None or _EMPTY.match(found.group("rest").strip()):
        return None
    if _LOOSE_OBJECT.search(found.group("rest")) and not _PLACE.search(found.group("rest")):
        return None
    clause = f"{found.group('verb')} {found.group('rest')}".strip()
    clause = re.split(
        r",|\s+\(|\s+(?:and\s+then|then|so\s+(?:that|we|i|they|it)|and\s+(?:email|tell|notify|post|"
        r"send|let))\b",
        clause,
    )[0]
    words = clause.split()
    if len(words) < 3:
        return None
    tool = _tool_of(clause)
    if tool is None and len(text.split()) < 6:
        return None  # "turn emails into tickets": no tool or place, too few words to build on
    name = " ".join(words[:16]) + ("…" if len(words) > 16 else "")
    return {
        "id": "do_in_tool",
        "name": (name[:1].upper() + name[1:])[:120],
        "action": "http.request",
        # an address the request writes is kept; else the tool's stand-in, filled in later
        "inputs": tools.post_inputs(text, tool or "your-app"),
    }


def _tool_of(clause: str) -> str | None:
    """The tool a clause acts in: a tool it names, else the place it names ("the lab's sftp
    server" → FTP, "our booking portal"), else None."""
    named = tools.first_named_tool(clause)
    if named is not None:
        return named
    place = _PLACE.search(clause)
    if place is None:
        return None
    return "ftp" if _FTP.search(place.group("place")) else place.group("place")


def ftp_note(steps: list[dict[str, Any]], text: str) -> str | None:
    """What the description says when the act is an FTP upload: Levqor sends over HTTP only."""
    if not has(text.lower(), r"\bs?ftp\b"):
        return None
    if not any(".ftp.example" in str((s.get("inputs") or {}).get("url")) for s in steps):
        return None
    return (
        "Levqor has no FTP step: this sends the file to a web address you fill in, such as "
        "an upload endpoint of your file service"
    )
