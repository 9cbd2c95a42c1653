"""Small Block Kit pieces and the limits every message obeys (50 blocks, 3,000-char sections)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_PLAIN_TEXT = 75  # button labels
MAX_HEADER_TEXT = 150


def cut(text: str, limit: int = MAX_SECTION_TEXT, link: str | None = None) -> str:
    """`text` within `limit` characters; when cut, it ends with "…" and a link to the full page."""
    if len(text) <= limit:
        return text
    tail = f"… <{link}|see all>" if link else "…"
    return text[: max(0, limit - len(tail))] + tail


def slack_date(at: datetime, pattern: str = "{date_short_pretty} at {time}") -> str:
    """A timestamp each reader sees in their own timezone (UTC as the fallback text)."""
    return f"<!date^{int(at.timestamp())}^{pattern}|{at:%Y-%m-%d %H:%M} UTC>"


def plain(text: str, limit: int = MAX_PLAIN_TEXT) -> dict[str, Any]:
    """A plain_text object (emoji on), cut to `limit`."""
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def section(text: str, link: str | None = None, accessory: Block | None = None) -> Block:
    """A mrkdwn section, cut to 3,000 characters (with a link to the full page when given)."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, link=link)}}
    if accessory:
        block["accessory"] = accessory
    return block


def header(text: str) -> Block:
    """A header block."""
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def context(text: str) -> Block:
    """A context line (small grey text)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text)}]}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    """A button carrying `value` (an id) back to the `action_id` listener."""
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """An actions block holding buttons."""
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def fit(blocks: list[Block], link: str | None = None) -> list[Block]:
    """At most 50 blocks: beyond that, the last one says how many were left out (and links)."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    kept = blocks[: MAX_BLOCKS - 1]
    more = len(blocks) - len(kept)
    note = f"… {more} more not shown" + (f" — <{link}|see all>" if link else "")
    return [*kept, context(note)]
