"""What starts the workflow (trigger detection) and which tools a request names or implies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from agents.planner.schedule import find_schedule
from agents.planner.text import has
from agents.planner.tools import EXTERNAL_TOOLS

CRM_NAMES = r"\b(?:crm|hubspot|pipedrive|salesforce|zoho|close\.com|copper|attio|freshsales)\b"
SHEET_NAMES = r"\b(?:google\s+sheets?|spreadsheets?|sheets?|excel|\w+\s+tab)\b"
STRIPE_NAMES = (
    r"\b(?:stripe|invoices?|payments?|subscriptions?|pay(?:ment)?\s+links?|billing\s+plans?)\b"
)
SOCIAL = (
    r"\b(?:rss|feeds?|reddit|twitter|tweets?|x\.com|mastodon|bluesky|linkedin|hacker\s*news|"
    r"google\s+news|news|blogs?|reviews?|g2|capterra|trustpilot|app\s+store|mentions?|podcasts?)\b"
)
_SLASH = re.compile(r"(?:^|\s)/([a-z][a-z0-9_-]{1,30})\b(?!\s*(?:endpoint|api|route|page|url))")
_INBOUND = (
    r"(?:lands?|landing|arrives?|arriving|comes?|coming|sent|goes|go|forwarded)\b[^.]{0,30}?"
    r"\b(?:in|into|at|to)\s+(?:the\s+|our\s+)?([\w.+-]+@[\w.-]*)",
    r"([\w.+-]+@[\w.-]*)\s+(?:inbox|mailbox|emails?|mail|address)\b",
    r"(?:responder|auto-?reply|auto-?respond\w*|replies|reply)\s+(?:for|to|on|in)\s+(?:whatever\s+)?"
    r"(?:lands\s+in\s+)?([\w.+-]+@[\w.-]*)",
    r"\b(?:when|whenever|if|once)\s+([\w.+-]+@[\w.-]+)\s+(?:emails|mails|writes|sends)\b",
    r"\b(?:who|that|which|someone|anyone)\s+(?:e?mails?|writes?\s+to)\s+(?:us\s+at\s+)?([\w.+-]+@[\w.-]*)",
    r"\b(?:in|into|at)\s+(?:our\s+|the\s+)?([\w.+-]+@)(?![\w.-])",
    r"\be?mails?\s+(?:that\s+)?(?:(?:are\s+)?sent\s+)?(?:to|at|into|in)\s+([\w.+-]+@[\w.-]*)",
)
_INBOUND_GENERIC = (
    r"\b(?:incoming|inbound)\s+e?mails?\b|\b(?:when|whenever|each time|every time)\s+(?:we|i)\s+"
    r"(?:get|receive)\s+an?\s+e?mail|\be?mails?\s+(?:that\s+)?(?:comes?|arrives?|lands?)\b|"
    r"\b(?:our|the|my)\s+(?:[\w-]+\s+)?inbox\b|"
    r"(?:^|[.!?]\s*|\b(?:any|all|every|each|new)\s+)e?-?mails?\s+from\b|\b(?:someone|anyone|a\s+\w+|they|people|customers?|"
    r"leads?|prospects?)\s+repl(?:y|ies)\s+to\s+(?:our|an?|the|my)\b|\b(?:in|into|to)\s+(?:our\s+|my\s+)?(?:gmail|outlook)\b"
)
# "their manager gets an email at x@y.com" names a recipient, not a mailbox mail arrives at.
_OUTBOUND_BEFORE = r"\b(?:gets?|receives?|sends?|send)\s+(?:\w+\s+)?an?\s*$"
_WE_RECEIVE_BEFORE = r"\b(?:we|i)\s+(?:\w+\s+)?(?:gets?|receives?)\s+(?:\w+\s+)?an?\s*$"
_STRIPE_EVENTS = (
    (r"\b(?:payments?|charges?|cards?)\s+(?:fails?|failed|is\s+declined|declines?|bounces?)|"
     r"\bfailed\s+(?:payment|charge)", "invoice.payment_failed"),
    (r"\binvoices?\s+(?:goes|go|is|becomes|gets)\s+overdue|\bwhen\b[^.]{0,30}\boverdue\b",
     "invoice.overdue"),
    (r"\bnew\s+(?:stripe\s+)?subscri\w+|\bsubscri\w+\s+(?:is\s+)?(?:created|starts?)|"
     r"\b(?:someone|customer|they)\s+subscribes?\b", "customer.subscription.created"),
    (r"\b(?:buys?|purchases?|pays?\s+for|checks?\s+out)\b[^.]{0,60}\b(?:through|via|on|with|in)\s+stripe|"
     r"\bcheckouts?\s+(?:session\s+)?(?:is\s+)?(?:completes?|completed|succeeds?|succeeded|finishes)",
     "checkout.session.completed"),
    (r"\bsubscriptions?\s+(?:is\s+)?cancel\w*|\bcancels?\s+(?:their|a)\s+subscription",
     "customer.subscription.deleted"),
    (r"\bwhen\b[^.]{0,40}\brefund(?:ed|s)?\b", "charge.refunded"),
    (r"\b(?:dispute|chargeback)s?\b", "charge.dispute.created"),
    (r"\b(?:new|when\s+a)\s+(?:stripe\s+)?customer\s+(?:is\s+created|signs?\s+up)\s+(?:in|on)\s+stripe|"
     r"\bnew\s+(?:stripe\s+)?customers?\s+(?:in|on|from)\s+stripe|\bnew\s+stripe\s+customers?\b",
     "customer.created"),
    (r"\b(?:payments?|charges?)\s+(?:succeeds?|succeeded|is\s+received|comes\s+in|goes\s+through)|"
     r"\b(?:new|successful)\s+(?:stripe\s+)?payments?\b", "payment_intent.succeeded"),
    (r"\binvoices?\s+(?:is\s+)?paid\b|\bpays?\s+(?:an?\s+|their\s+)?invoice", "invoice.paid"),
    (r"\bpayouts?\b[^.]{0,20}\b(?:lands?|landed|arrives?|arrived|paid|comes?\s+in|hits?|is\s+sent)\b|"
     r"\bnew\s+(?:stripe\s+)?payouts?\b", "payout.paid"),
    (r"\btrials?\s+(?:is\s+)?(?:ends?|ending|expires?|expiring|about\s+to\s+end)",
     "customer.subscription.trial_will_end"),
)  # fmt: skip
_WEBHOOK = (
    r"\bwebhooks?\b|\bforms?\b|\bsubmission|\bsubmits?\b|\bsigns?\s+up\b|\bsign-?ups?\b|"
    r"\blead\s+ads?\b|\btypeform\b|\bjotform\b|\btally\b|\bcalendly\b|\bwebflow\b|"
    r"\b(?:new|any|each|every)\s+(?:\w+\s+){0,2}orders?\b|\borders?\s+(?:is\s+|are\s+)?"
    r"(?:placed|created|comes?\s+in|over)\b|\bcheckout\b|\b(?:deal|contact|lead)s?\s+(?:goes|moves|"
    r"is\s+moved|changes|is\s+marked|gets\s+marked|hits|reaches)\b|"
    r"\bclosed[- ]won\b[^.]{0,20}\bwhen\b|"
    r"\bwhen\s+a\s+deal\b|\bnew\s+leads?\s+from\b|\bbooking\s+is\s+made|\bbooks?\s+a\b|"
    r"\bsubmitted\b|\bdeals?\s+(?:is\s+|are\s+|gets?\s+)?(?:won|lost|closed)\b|"
    r"\b(?:new|any|each|every)\s+(?:[\w.']+\s+){0,2}(?:tickets?|conversations?|chats?|bookings?|"
    r"appointments?|meetings?|responses?|submissions?|entries|entry|applications?|applicants?|"
    r"candidates?|hires?|employees?|subscribers?|signups?|registrations?|deals?|purchases?)\b|"
    + r"\b(?:new|any|each|every)\s+"
    + EXTERNAL_TOOLS
    + r"|"
    + EXTERNAL_TOOLS
    + r"[^.]{0,30}\b(?:is\s+|are\s+|gets?\s+)?(?:created|submitted|comes?\s+in|received|booked|"
    r"cancel+ed|updated|tagged|closed|added|completed|placed|refunded|shipped|fulfilled)\b"
)
_POLL = (
    SOCIAL + r"|\b(?:watch|monitor|keep\s+an\s+eye|keep\s+tabs|track)\b|"
    r"\bwhen\s+(?:anything|something|a\s+row|any\s+row|a\s+value|an?\s+item|stock)\b[^.]{0,40}"
    r"\b(?:sheet|drops?|falls?|goes|changes?|added|below|above)\b"
)
_SHEET_CHANGE = (
    r"\bwhen\w*\b[^.]{0,40}\b(?:rows?|sheet|spreadsheet|cells?)\b[^.]{0,30}"
    r"\b(?:added|changes?|changed|updated|edited|drops?|falls?|below|above|hits?|reach\w*|"
    r"runs?\s+out|appears?|is\s+empty|becomes?)\b"
)
_UPTIME = (
    r"\b(?:site|website|server|api|app|endpoint|service)\s+(?:goes|is|went)\s+down\b|\buptime\b"
)
_SYNC = r"\b(?:in\s+sync|syncs?|two[- ]way|both\s+ways|matched\s+up)\b"
_GENERIC_EVENT = (
    r"\b(?:when|whenever|once|each\s+time|every\s+time|as\s+soon\s+as)\s+(?:someone|somebody|a\s+\w+|"
    r"an\s+\w+|new|any|they|a\s+new|our\s+\w+)\b|\bnew\s+\w+\s*->"
)
_EVENT_CLAUSE = re.compile(
    r"\b(?:when|whenever|once|each\s+time|every\s+time|as\s+soon\s+as|any\s*time)\b[^,.;!?>→:]*?"
    r"(?=[,.;!?>→:]|\s(?:then\s+)?(?:add|create|send|post|put|save|log|email|ping|notify|tell|update|"
    r"move|mark|flag|forward|reply|assign|share|drop|dm|alert|let|have|ask|thank|invite|remind)\b|$)|"
    r"^\s*(?:new|any|each|every)\b[^,.;!?>→:]*(?=\s*(?:->|→|:|>))"
)
_POLL_URLS = (
    (r"\breddit\b", "https://www.reddit.com/search.rss?q={q}"),
    (r"\bgoogle\s+news\b|\bnews\b", "https://news.google.com/rss/search?q={q}"),
    (r"\bmastodon\b", "https://mastodon.social/tags/{q}.rss"),
    (r"\bbluesky\b", "https://bsky.app/search?q={q}"),
    (r"\bapp\s+store\b", "https://apps.apple.com/rss/customerreviews/json"),
)


@dataclass
class TriggerReading:
    """The trigger a request implies, as a spec dict, plus what was used to decide it."""

    kind: str
    spec: dict[str, Any] = field(default_factory=dict)


def detect_trigger(text: str, quoted: list[str], tools: set[str]) -> TriggerReading:
    """Pick the trigger for a normalised request (first matching rule wins, most specific first)."""
    slash = _SLASH.search(text)
    if slash and (has(text, r"\bslack\b|\bslash\b|\btype\b")):
        return TriggerReading("slack", {"type": "slack", "command": "/" + slash.group(1)})
    schedule = find_schedule(text)
    if schedule:
        return TriggerReading("schedule", schedule.trigger_fields())
    for pattern, event in _STRIPE_EVENTS:
        if has(text, pattern) and (
            has(text, r"\bstripe\b") or "invoice" in event or "payment" in event
        ):
            return TriggerReading("stripe", {"type": "stripe", "events": [event]})
    mailbox = inbound_mailbox(text)
    if mailbox is not None:
        spec: dict[str, Any] = {"type": "email"}
        if "@" in mailbox:
            spec["address"] = mailbox
        subject = re.search(r"['\"]([^'\"]{2,60})['\"]\s+in\s+the\s+subject", text)
        if subject:
            spec["subject_contains"] = subject.group(1)
        return TriggerReading("email", spec)
    if has(text, _SHEET_CHANGE):
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)})
    if has(text, _UPTIME):
        return TriggerReading("interval", {"type": "interval", "seconds": 300})
    if has(text, _WEBHOOK):
        return TriggerReading("webhook", {"type": "webhook"})
    if has(text, _POLL) or (has(text, _SYNC) and tools & {"crm", "sheets", "stripe", "http"}):
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)})
    if has(text, _GENERIC_EVENT):
        return TriggerReading("webhook", {"type": "webhook"})
    return TriggerReading("manual", {"type": "manual"})


def inbound_mailbox(text: str) -> str | None:
    """The mailbox mail arrives at ("support@"), "" for inbound mail in general, or None."""
    for match in _inbound_matches(text, _INBOUND):
        return match.group(1)
    return "" if has(text, _INBOUND_GENERIC) else None


def mask_inbound(text: str) -> str:
    """The request with the phrases saying mail arrives blanked (mail arriving is not sending)."""
    # The auto-reply pattern stays: "auto-reply to support@" also asks for a reply.
    patterns = (*_INBOUND[:2], *_INBOUND[3:])
    for match in [*_inbound_matches(text, patterns), *re.finditer(_INBOUND_GENERIC, text)]:
        start, end = match.span()
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _inbound_matches(text: str, patterns: tuple[str, ...]) -> Iterator[re.Match[str]]:
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            before = text[max(0, match.start() - 30) : match.start()]
            if has(before[-6:], r"\bfrom\s*$"):
                continue
            if has(before, _OUTBOUND_BEFORE) and not has(before, _WE_RECEIVE_BEFORE):
                continue
            if has(before, r"\b(?:should|must|will|to|please|pls|then|and)\s+(?:be\s+|get\s+)?$"):
                continue  # "should be forwarded to x@": where mail goes, not where it arrives
            yield match


def without_event_clause(text: str) -> str:
    """The request with its "when …" clause blanked: what starts a workflow is not a step."""
    match = _EVENT_CLAUSE.search(text)
    if not match:
        return text
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def poll_url(text: str, quoted: list[str]) -> str:
    """A feed URL for what the request watches (a named URL wins; a search feed otherwise)."""
    named = re.search(r"https?://\S+", text)
    if named:
        return named.group(0).rstrip(".,)")
    query = re.sub(r"[^a-z0-9]+", "+", (quoted[0] if quoted else "our-brand").lower()).strip("+")
    for pattern, url in _POLL_URLS:
        if has(text, pattern):
            return url.format(q=query)
    return "https://example.com/feed.xml"
