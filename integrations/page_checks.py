"""http.check_pages: look at web pages and say what changed since this workflow last looked.

The step a scheduled workflow runs ("every morning at 8 check the pricing pages of our 4
competitors"), where a poll of the pages (`trigger.pages`, `workflows.triggers.page_poll`) cannot
say the clock time. Each page is fetched through the guarded outbound path of `http.request`,
read as a person sees it (`page_text`) and compared with its snapshot: its text for
`watch: text`, its prices for `watch: prices` (moves of at least `min_change_percent`, only drops
or only rises with `price_moves` "down" or "up"). The
first look at a page only records it. `changed` tells the steps after it whether to say
anything (`when: "{{ steps.check_pages.changed }}"`). A try (dry run) looks and compares but
records nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from integrations import page_snapshots
from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from integrations.http import fetch, raise_for_retryable
from integrations.page_changes import price_changes, text_changes, trigger_data
from integrations.page_snapshots import PageLook, stored_prices
from integrations.page_text import MAX_TEXT_CHARS, page_text, prices
from storage.models import PageSnapshot
from storage.scope import Tenant

PAGES_AT_ONCE = 8
PAGE_TIMEOUT_SECONDS = 20.0
MAX_PAGES = 50
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"


async def look_at(ctx: ActionContext, url: str) -> PageLook:
    """Fetch one page and read it (RetryableError for 5xx/429/network, ActionError otherwise)."""
    fetched = await fetch(
        ctx, "GET", url, headers={"Accept": _ACCEPT}, timeout_seconds=PAGE_TIMEOUT_SECONDS
    )
    raise_for_retryable(fetched)
    if fetched.status >= 400:
        raise ActionError(f"the page answered {fetched.status}")
    text = page_text(fetched.content, fetched.headers.get("content-type", ""))
    return PageLook(url, text, prices(text))


def changes_since(
    old: PageSnapshot,
    new: PageLook,
    watch: str,
    min_change_percent: float | None,
    price_moves: str = "any",
) -> list[dict[str, Any]]:
    """What moved on the page since its snapshot (empty: nothing worth saying)."""
    if watch == "prices":
        return price_changes(stored_prices(old), new.prices, min_change_percent, price_moves)
    if old.digest == new.digest:
        return []
    found = text_changes(old.text, new.text[:MAX_TEXT_CHARS])
    return found or [{"before": "", "after": "(a change further down the page)"}]


class CheckPagesInput(ActionInput):
    """Inputs of http.check_pages."""

    pages: list[str] = Field(min_length=1, max_length=MAX_PAGES)
    watch: Literal["text", "prices"] = "text"
    min_change_percent: float | None = Field(default=None, ge=0, le=1000)
    price_moves: Literal["any", "down", "up"] = "any"

    @field_validator("pages")
    @classmethod
    def _web_addresses(cls, pages: list[str]) -> list[str]:
        for page in pages:
            if not page.startswith(("http://", "https://")):
                raise ValueError(f"{page!r} is not a web address (it starts with https://)")
        return list(dict.fromkeys(pages))

    @model_validator(mode="after")
    def _moves_of_prices(self) -> CheckPagesInput:
        if self.price_moves != "any" and self.watch != "prices":
            raise ValueError("price_moves is for watching prices: set watch to prices")
        return self


class CheckPagesOutput(ActionOutput):
    """The pages that changed (each as a page watch's trigger data), in words, and which pages
    could not be read."""

    changed: bool
    count: int
    pages: list[dict[str, Any]]
    summary: str
    before: str
    after: str
    failed_pages: list[str] = []


@dataclass
class PageChange:
    """One page that changed: its snapshot, what it shows now, and the changes."""

    url: str
    old: PageSnapshot
    new: PageLook
    changes: list[dict[str, Any]]


@dataclass
class Comparison:
    """Every page compared with its snapshot: the changed ones, the looks to record, and the
    pages that could not be read now (`waiting`: try later) or at all (`unreadable`)."""

    changed: list[PageChange] = field(default_factory=list)
    record: list[PageLook] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


async def compare_pages(
    ctx: ActionContext,
    pages: list[str],
    watch: str,
    min_change_percent: float | None,
    price_moves: str = "any",
) -> Comparison:
    """Look at the pages (a few at once) and compare each with the workflow's snapshot of it.
    The first look at a page is recorded as its baseline; nothing is recorded here."""
    gate = asyncio.Semaphore(PAGES_AT_ONCE)

    async def gated(url: str) -> PageLook:
        async with gate:
            return await look_at(ctx, url)

    looks = await asyncio.gather(*(gated(u) for u in pages), return_exceptions=True)
    async with ctx.sessions() as session:
        known = await page_snapshots.load(Tenant(session, ctx.workspace_id), ctx.workflow_id)
    found = Comparison()
    for url, look in zip(pages, looks, strict=True):
        if isinstance(look, RetryableError):
            found.waiting.append((url, str(look)))
            continue
        if isinstance(look, ActionError):
            found.unreadable.append((url, str(look)))
            continue
        if isinstance(look, BaseException):
            raise look
        old = known.get(url)
        if old is None:
            found.record.append(look)  # the first look: the baseline
            continue
        moves = changes_since(old, look, watch, min_change_percent, price_moves)
        if moves:
            found.changed.append(PageChange(url, old, look, moves))
            found.record.append(look)
        elif old.digest != look.digest and stored_prices(old) == look.prices:
            found.record.append(look)  # other words moved, the watched prices did not
    return found


async def check_pages(ctx: ActionContext, inp: CheckPagesInput) -> CheckPagesOutput:
    """Look at every page, compare each with its snapshot, record what was seen (not on a try)."""
    found = await compare_pages(ctx, inp.pages, inp.watch, inp.min_change_percent, inp.price_moves)
    failed = found.waiting + found.unreadable
    if len(failed) == len(inp.pages):  # nothing could be read: retry the step, or fail it
        url, reason = failed[0]
        if found.waiting:
            raise RetryableError(f"{url}: {reason}")
        raise ActionError(f"{url}: {reason}")
    if not ctx.dry_run:
        await page_snapshots.save(ctx, found.record)
    changed = [trigger_data(c.url, inp.watch, c.changes) for c in found.changed]
    return CheckPagesOutput(
        changed=bool(changed),
        count=len(changed),
        pages=changed,
        summary="\n".join(str(p["summary"]) for p in changed),
        before="\n".join(f"{p['page']}: {p['before']}" for p in changed),
        after="\n".join(f"{p['page']}: {p['after']}" for p in changed),
        failed_pages=[f"{url}: {reason}" for url, reason in failed],
    )


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="http.check_pages",
        description=(
            "Look at web pages (pages) and say what changed since the last look: their text, "
            "or their prices (watch: prices, min_change_percent, price_moves: any|down|up)."
        ),
        risk=Risk.read,
        input_model=CheckPagesInput,
        output_model=CheckPagesOutput,
        handler=check_pages,
    )
]
