"""Milestone-based skips of drip emails, read from a request.

"skip the day 5 tip if they already created their first workflow" → the day-5 email is skipped
once the contact has the milestone `created_first_workflow` (recorded through POST
/api/milestones and read by a `crm.get_contact` step before the email).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.planner.text import has

_DAYS = (
    r"(?:the\s+)?(?:days?[- ](\d{1,3}(?:\s*(?:,|and|&|/|or)\s*(?:day\s+)?\d{1,3})*)|"
    r"(\d{1,3})[- ]day)"
)
_CLAUSE = r"([a-z0-9_' -]{3,80}?)(?=\s*(?:[,.;:!?()]|\b(?:and|then|but|by|before|within|or)\b|$))"
_SKIP = r"(?:skip|don't\s+send|do\s+not\s+send|leave\s+out|hold\s+back|cancel|stop|no)"
# "skip the day 5 tip if they already created their first workflow"
_SKIP_IF = re.compile(
    _SKIP + r"\s+(?:sending\s+)?(?:the\s+)?(?:" + _DAYS + r"\s+)?(?:[a-z-]+\s+){0,3}?"
    r"(if|once|when|unless|for\s+(?:anyone|people|customers|those|users)\s+who)\s+" + _CLAUSE
)
# "if they have already invited their team, skip the day 5 email"
_IF_SKIP = re.compile(
    r"\b(if|once|when)\s+" + _CLAUSE + r"\s*,?\s+(?:then\s+)?" + _SKIP
    + r"\s+(?:sending\s+)?(?:the\s+)?(?:" + _DAYS + r")?"
)  # fmt: skip
# "the day 5 tip only if they haven't created a workflow", "day 5 unless they invited the team"
_DAY_UNLESS = re.compile(
    r"\b" + _DAYS + r"\s+(?:[a-z-]+\s+){0,3}?(?:only\s+)?(unless|if)\s+" + _CLAUSE
)
_NEGATED = (
    r"^(?:they\s+)?(?:haven't|have\s+not|hasn't|has\s+not|didn't|did\s+not|not\s+yet|"
    r"still\s+haven't|never)\b"
)
_FILLER = re.compile(
    r"\b(?:they|they've|they're|he|she|he's|she's|the\s+customer|the\s+user|customers?|users?|"
    r"someone|people|anyone|those|already|have|has|haven't|hasn't|had|have\s+not|has\s+not|"
    r"didn't|did|not|yet|still|never|just|both|successfully|ever|their|his|her|its|a|an|the|"
    r"reached|hit|milestone|been|is|are|was|were)\b"
)
_IRREGULAR = {"set": "set", "make": "made", "pay": "paid", "buy": "bought", "send": "sent",
              "get": "got", "do": "done", "build": "built", "write": "written", "log": "logged",
              "cancel": "cancelled"}  # fmt: skip
_BASE_VERBS = frozenset(
    re.findall(
        r"\w+",
        "create invite complete finish connect upload add publish book activate verify install "
        "import launch start upgrade configure link share schedule submit sign join open "
        "use try enable",
    )
)
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
SIGNUP = r"\bsigns?[- ]?up|\bsign-?ups?\b|\bnew\s+(?:customer|user|member|client|account)s?\b"


@dataclass(frozen=True)
class Skip:
    """Follow-ups on `days` (None: all of them) skip once `milestone` is reached (or until)."""

    days: tuple[int, ...] | None
    milestone: str
    when_reached: bool = True


def milestone_skips(t: str) -> list[Skip]:
    """The milestone-based skips a request names, in its order."""
    found: list[tuple[int, Skip]] = []
    for match in _SKIP_IF.finditer(t):
        unless = match.group(3) == "unless"
        skip = _skip(match.group(1) or match.group(2), match.group(4), invert=unless)
        if skip:
            found.append((match.start(), skip))
    for match in _IF_SKIP.finditer(t):
        skip = _skip(match.group(3) or match.group(4), match.group(2), invert=False)
        if skip:
            found.append((match.start(), skip))
    spans = [(m.start(), m.end()) for m in [*_SKIP_IF.finditer(t), *_IF_SKIP.finditer(t)]]
    for match in _DAY_UNLESS.finditer(t):
        clause = match.group(4)
        if any(start <= match.start() < end for start, end in spans):
            continue  # "skip the day 21 one unless …" was read above
        if match.group(3) == "if" and not has(clause.strip(), _NEGATED):
            continue  # "day 5 if they booked": sent when reached, which is not a skip
        skip = _skip(match.group(1) or match.group(2), clause, invert=False, negated_ok=True)
        if skip:
            found.append((match.start(), skip))
    return list(dict.fromkeys(skip for _, skip in sorted(found, key=lambda f: f[0])))


def _skip(days: str | None, clause: str, invert: bool, negated_ok: bool = False) -> Skip | None:
    if has(clause, SIGNUP):
        return None  # "when a new customer signs up, …" starts the drip; it is no milestone
    negated = has(clause.strip(), _NEGATED)
    name = milestone_name(clause)
    if name is None:
        return None
    numbers = tuple(int(n) for n in re.findall(r"\d{1,3}", days)) if days else None
    when_reached = not invert
    if negated and not negated_ok:
        when_reached = not when_reached
    return Skip(numbers, name, when_reached)


def milestone_name(clause: str) -> str | None:
    """`created_first_workflow` from "they already created their first workflow"."""
    named = _SNAKE.search(clause)
    if named:
        return named.group(0)[:64]
    words = _FILLER.sub(" ", clause.replace("'ve", " ").replace("'s", " ")).split()
    words = [re.sub(r"[^a-z0-9]", "", w) for w in words]
    words = [w for w in words if w][:4]
    if not words or not words[0][0].isalpha():
        return None
    verb = words[0]
    if verb in _IRREGULAR:
        words[0] = _IRREGULAR[verb]
    elif verb in _BASE_VERBS:
        words[0] = verb + "d" if verb.endswith("e") else verb + "ed"
    name = "_".join(words)[:64]
    return name if re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name) else None
