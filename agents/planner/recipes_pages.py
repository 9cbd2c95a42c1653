"""Watching web pages: "keep an eye on competitor.com/pricing and slack #pricing if a price moves
more than 5%", "notify me when the page changes".

Such a request is a poll of the pages (`trigger.pages`), not of a feed: what changed comes in
the run's trigger data (before/after), so the messages say that and no step reads the page again.
A request naming no address gets a stand-in page, and the planner asks which page to watch.
Feeds, blogs and social posts stay feed polls; "tell us when the site goes down" stays an uptime
check.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner.intents import _UPTIME, TriggerReading, announces_outage
from agents.planner.text import has

# The page a request that names none watches until someone says which (see `guard`).
STAND_IN_PAGE = "https://www.example.com/page-to-watch"
WHICH_PAGE = "Which page should I watch? Paste its address."
MAX_PAGES = 50  # what one page poll or page check may watch (`workflows.spec`)
PAGE_BODY = (
    "{{ trigger.summary }}\nBefore: {{ trigger.before }}\nAfter: {{ trigger.after }}\n"
    "{{ trigger.url }}"
)

# The row a change of a watched page adds to a sheet.
_CHANGE_ROW = {
    "checked_at": "{{ now }}",
    "page": "{{ trigger.url }}",
    "change": "{{ trigger.summary }}",
    "before": "{{ trigger.before }}",
    "after": "{{ trigger.after }}",
}

_VERB = (
    r"\b(?:watch|watching|monitor|monitoring|keep\s+an\s+eye\s+on|keep\s+tabs\s+on|track|"
    r"tracking|check|checking|look\s+at)\b"
)
_PAGE = (
    r"\b(?:(?:web\s*)?pages?|pricing|prices?|price\s+list|url|webpage|websites?\s+for\s+changes|"
    r"sites?\s+for\s+changes)\b"
)
_MOVES = (
    r"\b(?:changes?|changed|drops?|dropped|moves?|moved|goes\s+(?:up|down)|went\s+(?:up|down)|"
    r"increases?|decreases?|(?:is|gets)\s+updated|falls?|rises?|cheaper|lower|higher)\b"
)
_EVENT = (
    r"\b(?:when(?:ever)?|if|once|as\s+soon\s+as|any\s*time)\b[^.]{0,30}\b(?:the\s+|a\s+|any\s+|"
    r"our\s+|their\s+)?(?:page|pricing|prices?)\b(?:[^.]|\.(?=\w)){0,60}?" + _MOVES
)
# "notify me when https://acme.com/careers changes", "if acme.com/pricing gets updated"
_ADDRESS_MOVES = (
    r"\b(?:when(?:ever)?|if|once|as\s+soon\s+as|any\s*time)\s+(?:the\s+page\s+(?:at\s+)?)?"
    r"(?:https?://|www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?\s+(?:changes|changed|"
    r"(?:is|gets|was)\s+(?:updated|changed|edited))\b"
)
_TLDS = (
    r"com|org|net|io|co|uk|de|fr|nl|es|it|eu|us|ca|au|nz|ie|be|ch|at|se|no|dk|fi|pl|pt|in|jp|"
    r"app|dev|ai|shop|store|site|info|biz|me|tv|xyz|tech|online"
)
# "write any price change on rival.com/shop into the sheet": each change is an event
_EACH_CHANGE = (
    r"\b(?:any|every|each)\s+(?:price|pricing|page)\s+changes?\s+(?:on|at|to|of)\b|"
    r"\b(?:(?:any|every|each)\s+changes?|(?:anything|something)\s+(?:at\s+all\s+)?changes?)\s+"
    r"(?:on|at|to|of|in)\s+(?:the\s+page\s+(?:at\s+)?)?"
    r"(?:https?://|www\.|[a-z0-9-]+\.(?:" + _TLDS + r")\b)"
)
# "whenever anything at all changes on this one page"
_CHANGES_ON = (
    r"\b(?:anything|something|what)\s+(?:at\s+all\s+)?changes?\s+(?:on|in)\s+(?:this|that|the|"
    r"our|a|their|my)\s+(?:one\s+)?(?:web\s*)?page\b"
)
_NEAR = r"(?:[^.]|\.(?=\w)){0,80}?"  # within a sentence (an address's dots are no full stop)
_WATCHED = (
    _VERB
    + _NEAR
    + _PAGE
    + "|"
    + _VERB
    + r"\s+(?:https?://|www\.)\S+"
    + _NEAR
    + _MOVES
    + "|"
    # "look at our competitors' websites and email me what changed"
    + _VERB
    + _NEAR
    + r"\b(?:web\s*)?sites?\b"
    + _NEAR
    + r"\bwhat(?:'s|\s+has|\s+is)?\s+(?:changed|new)\b"
)
# Requests about something else than a page people read: feeds and posts, sheets, stores and
# billing systems with their own events, stock levels, our own prices being changed.
_NOT_A_PAGE = (
    r"\brss\b|\bfeeds?\b|\bblogs?\b|\bnews\b|\bposts?\b|\barticles?\b|\btweets?\b|\breddit\b|"
    r"\bmentions?\b|\breviews?\b|\bpodcasts?\b|\bsheets?\b|\bspreadsheet|\bstripe\b|\bshopify\b|"
    r"\bwoocommerce\b|\bcrm\b|\bhubspot\b|\bsalesforce\b|\bnotion\b|\bairtable\b|\bin\s+stock\b|"
    r"\bstock\s+levels?\b|\binventory\b|\bfacebook\b|\blinkedin\b|\binstagram\b|\bbookstack\b|"
    r"\bwiki\b|\bstatus\s+page\b|\bhelp\s+cent(?:er|re)\b|\bamazon\b|\bgoogle\s+shopping\b|"
    r"\blistings?\b|\b(?:bump|raise|lower|update|set|change|increase)\s+(?:the\s+|all\s+|every\s+|"
    r"our\s+)?(?:\w+\s+)?prices?\b|\bprices?\s+(?:should|in\s+the\s+shop)\b"
)
_ADDRESS = re.compile(
    r"(?<![@\w./:-])((?:https?://)?(?:[a-z0-9-]+\.)+(?:" + _TLDS + r")(?::\d{2,5})?"
    r"(?:/[^\s,;)\"'<>]*)?)(?![\w@-])",
    re.IGNORECASE,
)


def watches_pages(text: str) -> bool:
    """Whether a normalised request watches web pages for changes (of text or prices)."""
    if has(text, _NOT_A_PAGE):
        return False
    if has(text, _UPTIME) and not announces_outage(text):
        return False  # "tell us when the page stops loading": an uptime check
    return (
        has(text, _WATCHED)
        or has(text, _EVENT)
        or has(text, _CHANGES_ON)
        or has(text, _ADDRESS_MOVES)
        or has(text, _EACH_CHANGE)
    )


def page_addresses(request: str) -> list[str]:
    """The web addresses a request names, in order, as http(s) URLs (email addresses aside)."""
    found: list[str] = []
    for match in _ADDRESS.finditer(re.sub(r"[\w.+-]+@[\w.-]+", " ", request)):
        address = match.group(1).rstrip(".,!?:")
        if not re.match(r"(?i)https?://", address):
            address = "https://" + address
        found.append(address)
    return list(dict.fromkeys(found))


def _percent(text: str) -> float | None:
    match = re.search(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", text)
    return float(match.group(1)) if match else None


_DOWN = (
    r"\b(?:drops?|dropped|dropping|falls?|fell|falling|goes\s+down|went\s+down|decreases?|"
    r"decreased|cheaper|lower(?:ed|s)?|reduced|on\s+sale|discounted|price\s+cuts?)\b"
)
_UP = (
    r"\b(?:rises?|rose|rising|goes\s+up|went\s+up|increases?|increased|higher|raised|"
    r"more\s+expensive|hikes?|hiked)\b"
)


def price_moves(text: str) -> str:
    """ "down" when only drops are asked about ("tell me when it gets cheaper"), "up" when only
    rises are, "any" otherwise (both, or neither said)."""
    down, up = has(text, _DOWN), has(text, _UP)
    if down and not up:
        return "down"
    return "up" if up and not down else "any"


def page_trigger(text: str, request: str) -> dict[str, Any]:
    """The poll of the pages a request watches (a stand-in page when it names none)."""
    named = page_addresses(request)[:MAX_PAGES]  # more are asked about (`which_page`)
    trigger: dict[str, Any] = {"type": "poll", "pages": named or [STAND_IN_PAGE]}
    text = _ADDRESS.sub(" ", text)  # "acme.com/pricing" names a page, not its prices
    if has(text, r"\bpric(?:e|es|ing)\b|\bcheaper\b|\bcosts?\b") and not has(
        text, r"\b(?:any|every|anything|something)\s+(?:at\s+all\s+)?changes?\b"
    ):
        trigger["watch"] = "prices"
        percent = _percent(text)
        if percent is not None:
            trigger["min_change_percent"] = percent
        moves = price_moves(text)
        if moves != "any":
            trigger["price_moves"] = moves
    else:
        trigger["watch"] = "text"
    trigger["interval_seconds"] = 900
    return trigger


def page_reading(text: str, request: str, reading: TriggerReading) -> TriggerReading | None:
    """The page poll a request asks for, or None. A request that says when to look ("every 30
    minutes", "every morning at 8") keeps its schedule: a poll has no clock times or windows."""
    if reading.kind in ("schedule", "webhook", "stripe", "email", "slack") or not watches_pages(
        _destinations_masked(text)
    ):
        return None
    return TriggerReading("poll", page_trigger(text, request), "pages")


def _other_page_reads(steps: list[dict[str, Any]]) -> set[str]:
    """The ids of steps that read the page some other way (a feed, mentions, a GET): the page
    watch or check reads it, so they go."""
    return {
        str(s.get("id"))
        for s in steps
        if s.get("action") in ("rss.new_items", "social.mentions")
        or (
            s.get("action") == "http.request"
            and str((s.get("inputs") or {}).get("method") or "GET").upper() == "GET"
        )
    }


def _refers_to(value: Any, gone: set[str]) -> bool:
    said = str(value)
    return any(re.search(rf"\bsteps(?:\.{re.escape(g)}\b|\[['\"]{re.escape(g)}['\"]\])", said)
               for g in gone)  # fmt: skip


def _page_words(trigger: dict[str, Any]) -> str:
    pages = trigger.get("pages") or []
    if len(pages) != 1 or pages[0] == STAND_IN_PAGE:
        return "a watched page"
    return re.sub(r"^https?://(?:www\.)?", "", str(pages[0])).rstrip("/")


def _watch_name(trigger: dict[str, Any], kind: str) -> str:
    """ "Price watch: rival.io/plans", "Page watch: 4 pages", "Price check: acme.com"."""
    what = "Price" if trigger.get("watch") == "prices" else "Page"
    pages = trigger.get("pages") or []
    where = f"{len(pages)} pages" if len(pages) > 1 else _page_words(trigger)
    if where == "a watched page":
        return f"{what} {kind}"
    return f"{what} {kind}: {where}"[:120]


def shape_page_watch(raw: dict[str, Any]) -> None:
    """For a poll of pages: no step reads the page (the trigger did), and every message says
    what changed, before and after."""
    trigger = raw.get("trigger") or {}
    if trigger.get("type") != "poll" or not trigger.get("pages"):
        return
    steps: list[dict[str, Any]] = raw.get("steps") or []
    gone = _other_page_reads(steps)
    kept = [s for s in steps if str(s.get("id")) not in gone]
    about = "Price change" if trigger.get("watch") == "prices" else "Change"
    about = {"down": "Price drop", "up": "Price rise"}.get(str(trigger.get("price_moves")), about)
    raw["name"] = _watch_name(trigger, "watch")
    appends = any(s.get("action") == "sheets.append_row" for s in kept)
    for step in kept:
        inputs = step.get("inputs")
        if not isinstance(inputs, dict):
            continue
        if step.get("when") and _refers_to(step["when"], gone):
            del step["when"]
        action = step.get("action")
        if action == "sheets.read_rows" and appends:
            step["drop"] = True  # the sheet is where changes go, and a step already adds them
        elif action == "sheets.read_rows":  # a sheet beside a watched page is where changes go
            step["id"], step["action"] = "log_change", "sheets.append_row"
            inputs.pop("limit", None)
            inputs["values"] = dict(_CHANGE_ROW)
        elif action == "sheets.append_row" and "trigger }}" in str(inputs.get("values")):
            inputs["values"] = dict(_CHANGE_ROW)  # the run's data, as columns
        elif action in ("slack.post_message", "email.send"):
            inputs["text"] = PAGE_BODY
            inputs.pop("blocks", None)
            if action == "email.send":
                inputs["subject"] = f"{about} on {_page_words(trigger)}"
        elif action == "http.request" and isinstance(inputs.get("json"), dict):
            inputs["json"] = {
                k: (PAGE_BODY if k in ("text", "content", "message") else v)
                for k, v in inputs["json"].items()
            }
        for name, value in list(inputs.items()):
            if _refers_to(value, gone):
                inputs[name] = PAGE_BODY
    raw["steps"] = [s for s in kept if not s.pop("drop", False)]


# Pages the request describes though it gives no address ("our 40 competitor product pages",
# "this gpu search page"): drafted with the stand-in page, which cannot be approved until its
# address is given (`workflows.stand_ins`); "the page" or "the price" alone is asked about.
_DESCRIBED = (
    r"\b(?:competitors?'?s?|rivals?'?s?|suppliers?'?s?|vendors?'?s?|products?|search|pricing|"
    r"[a-z]+'s)\s+(?:[\w-]+\s+){0,2}(?:pages?|pricing|prices?|sites?|websites?)\b|"
    r"\b\d+\s+(?:[\w-]+\s+){0,3}pages\b|\bthis\s+(?:one\s+)?(?:web\s*)?page\b"
)


def which_page(text: str, spec: dict[str, Any]) -> str | None:
    """The question for a page watch that names no page and describes none, or more pages than
    one workflow watches; None otherwise."""
    trigger = spec.get("trigger") or {}
    named = len(page_addresses(text))
    if named > MAX_PAGES and (trigger.get("pages") or _has_check(spec)):
        return (
            f"One workflow watches up to {MAX_PAGES} pages, and you named {named}. Please ask "
            f"again with up to {MAX_PAGES} pages, and the rest in a second request."
        )
    checked = [
        page
        for step in spec.get("steps") or []
        if step.get("action") == "http.check_pages"
        for page in (step.get("inputs") or {}).get("pages") or []
    ]
    if STAND_IN_PAGE not in [*(trigger.get("pages") or []), *checked] or has(text, _DESCRIBED):
        return None
    return WHICH_PAGE


def _has_check(spec: dict[str, Any]) -> bool:
    return any(s.get("action") == "http.check_pages" for s in spec.get("steps") or [])


# A check of pages at the times a schedule says ("every morning at 8 check the pricing pages"):
# a poll has no clock times, so the schedule stays and its first step looks at the pages.
CHECK_ID = "check_pages"
CHECK_BODY = (
    "{{ steps.check_pages.summary }}\nBefore: {{ steps.check_pages.before }}\n"
    "After: {{ steps.check_pages.after }}"
)


def _destinations_masked(text: str) -> str:
    """The request without where results go ("post the before/after to #pricing", "write any
    change into the 'prices' sheet"): a post or a sheet named as a destination is no feed."""
    text = re.sub(r"\bpost\s+(?=the\b|it\b|them\b|in\b|to\b|an?\b|what\b|any\b)", "send ", text)
    return re.sub(
        r"\b(?:into|in|to|on)\s+(?:the\s+|our\s+|a\s+|my\s+)?(?:['\"\u2018\u201c][^'\"\u2019\u201d]{1,40}"
        r"['\"\u2019\u201d]\s+|[\w-]+\s+){0,3}?(?:google\s+)?(?:sheet|spreadsheet)\b",
        " ",
        text,
    )


def shape_page_check(raw: dict[str, Any], text: str, request: str) -> None:
    """For a scheduled look at web pages: the first step checks the pages, the steps after it
    run only when something changed, and say what (in place of reading the pages some other
    way or sorting "the run's details")."""
    trigger = raw.get("trigger") or {}
    if trigger.get("type") != "schedule" or not watches_pages(_destinations_masked(text)):
        return
    if not has(_ADDRESS.sub(" ", text), _MOVES + r"|\bwhat(?:'s|\s+is)?\s+new\b"):
        return  # "tell #deals if one is under 900": what the page shows now, not what moved
    watched = page_trigger(text, request)
    inputs: dict[str, Any] = {"pages": watched["pages"], "watch": watched["watch"]}
    for name in ("min_change_percent", "price_moves"):
        if name in watched:
            inputs[name] = watched[name]
    steps: list[dict[str, Any]] = raw.get("steps") or []
    gone = _other_page_reads(steps)
    kept = [s for s in steps if str(s.get("id")) not in gone]
    raw["name"] = _watch_name(watched, "check")
    for step in kept:
        step_inputs = step.get("inputs")
        if not isinstance(step_inputs, dict) or step.get("action") == "sheets.read_rows":
            continue
        if step.get("when") and _refers_to(step["when"], gone):
            del step["when"]
        step["when"] = f"steps.{CHECK_ID}.changed"
        action = step.get("action")
        said = str(step_inputs.get("text", ""))
        keeps = "steps." in said and not _refers_to(said, gone)  # an AI summary of the changes
        if action in ("slack.post_message", "email.send") and not keeps:
            step_inputs["text"] = CHECK_BODY
            step_inputs.pop("blocks", None)
            if action == "email.send":
                about = "Price changes" if watched["watch"] == "prices" else "Changes"
                pages = len(watched["pages"])
                where = f"{pages} watched pages" if pages > 1 else _page_words(watched)
                step_inputs["subject"] = f"{about} on {where}"
        for name, value in list(step_inputs.items()):
            if _refers_to(value, gone) or "trigger" in str(value):
                step_inputs[name] = CHECK_BODY
    check = {"id": CHECK_ID, "action": "http.check_pages", "inputs": inputs}
    raw["steps"] = [check, *kept]
