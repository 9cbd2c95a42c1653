"""What changed on a watched page since its last snapshot, as a run's trigger data.

Text: the removed and added lines (difflib), a few of them, shortened. Prices: the prices in the
same place on the page paired up (difflib over their order), each move with its percent; with a
`min_change_percent`, only moves at least that large count (and a price added or removed does
not, nor a smaller move: the earlier prices stay the baseline, so small moves that add up are
still caught). With `price_moves` "down" ("tell me when the price drops") only drops count, with
"up" only rises; a move the other way is no news and the earlier price stays the baseline, so a
drop is a price below the one last reported (or first seen).
"""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import urlsplit

from integrations.page_text import Price

MAX_CHANGES = 10
MAX_CHANGE_CHARS = 300
MAX_EXCERPT_CHARS = 1000


def page_words(url: str) -> str:
    """ "competitor.com/pricing": the page's address without the scheme, www or a trailing /."""
    parts = urlsplit(url)
    host = (parts.hostname or url).removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" if len(path) <= 40 else f"{host}{path[:39]}…"


def _short(text: str, limit: int = MAX_CHANGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_changes(before: str, after: str) -> list[dict[str, Any]]:
    """Each changed stretch of lines: {"before": removed lines, "after": added lines}."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changes: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changes.append(
            {"before": _short(" / ".join(old[i1:i2])), "after": _short(" / ".join(new[j1:j2]))}
        )
        if len(changes) >= MAX_CHANGES:
            break
    return changes


def _percent(old: Price, new: Price) -> float | None:
    if old.amount == 0:
        return None
    return round((new.amount - old.amount) / old.amount * 100, 1)


def price_changes(
    before: list[Price],
    after: list[Price],
    min_change_percent: float | None,
    moves: str = "any",
) -> list[dict[str, Any]]:
    """Prices that moved: {"before", "after", "currency", "percent"} (and, without a threshold
    or a direction, prices added or removed, with "percent" None). `moves` "down" counts only
    drops, "up" only rises; the move the other way is not news (and leaves the baseline)."""
    measured = min_change_percent is not None or moves != "any"
    old_keys = [(p.currency, p.amount) for p in before]
    new_keys = [(p.currency, p.amount) for p in after]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    changes: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = before[i1:i2], after[j1:j2]
        paired = list(zip(olds, news, strict=False))
        for old, new in paired:
            if old.currency != new.currency:
                changes += _unpaired([old], [new], measured)
                continue
            percent = _percent(old, new)
            if min_change_percent is not None and (
                percent is None or abs(percent) < min_change_percent
            ):
                continue
            if moves != "any" and (percent is None or (percent < 0) != (moves == "down")):
                continue
            move = {"before": old.text, "after": new.text, "currency": new.currency}
            changes.append({**move, "percent": percent})
        changes += _unpaired(olds[len(paired) :], news[len(paired) :], measured)
    return changes[:MAX_CHANGES]


def _unpaired(olds: list[Price], news: list[Price], measured: bool) -> list[dict[str, Any]]:
    if measured:
        return []  # only moves are measured against a threshold or a direction
    gone = [{"before": p.text, "after": "", "currency": p.currency, "percent": None} for p in olds]
    new = [{"before": "", "after": p.text, "currency": p.currency, "percent": None} for p in news]
    return gone + new


def _excerpt(changes: list[dict[str, Any]], side: str) -> str:
    said = [str(c[side]) for c in changes if c.get(side)]
    return _short("; ".join(said), MAX_EXCERPT_CHARS)


def _move_words(change: dict[str, Any]) -> str:
    if not change["before"]:
        return f"a new price {change['after']}"
    if not change["after"]:
        return f"the price {change['before']} is gone"
    percent = change.get("percent")
    if percent is None:
        return f"{change['before']} is now {change['after']}"
    way = "up" if percent > 0 else "down"
    return f"{change['before']} is now {change['after']} ({way} {abs(percent):g}%)"


def summary(url: str, watch: str, changes: list[dict[str, Any]]) -> str:
    """The change in plain words ("On competitor.com/pricing: $49 is now $59 (up 20.4%).")."""
    page = page_words(url)
    if watch == "prices":
        moves = [_move_words(c) for c in changes[:3]]
        more = f", and {len(changes) - 3} more" if len(changes) > 3 else ""
        said = "; ".join(moves)
        return f"Prices changed on {page}: {said[:1].upper() + said[1:]}{more}."
    first = changes[0] if changes else {"before": "", "after": ""}
    if first["before"] and first["after"]:
        said = f"“{_short(first['before'], 120)}” is now “{_short(first['after'], 120)}”"
    elif first["after"]:
        said = f"added “{_short(first['after'], 120)}”"
    else:
        said = f"removed “{_short(first['before'], 120)}”"
    more = f" (and {len(changes) - 1} more changes)" if len(changes) > 1 else ""
    return f"The page {page} changed: {said}{more}."


def trigger_data(url: str, watch: str, changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A changed page's run data: the page, before/after excerpts, the changes, a summary."""
    return {
        "url": url,
        "page": page_words(url),
        "watch": watch,
        "before": _excerpt(changes, "before"),
        "after": _excerpt(changes, "after"),
        "changes": changes,
        "summary": summary(url, watch, changes),
    }
