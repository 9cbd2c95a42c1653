"""Template-shaped drafts: requests that match a production template get that template's steps.

Each recipe recognises one of the production workflows (workflows/templates/*.yaml) and rewrites
the generic draft into the step shapes that template uses, with the values the request names.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from agents.planner.intents import TriggerReading
from agents.planner.recipes_appointments import appointment_reminders
from agents.planner.recipes_forms import lead_form
from agents.planner.recipes_monitor import uptime_monitor
from agents.planner.recipes_onboarding import onboarding_drip
from agents.planner.recipes_sequences import follow_up_sequence
from agents.planner.recipes_sheets import sheet_rows_added
from agents.planner.recipients import reminder_points_masked
from agents.planner.slots import Slots
from agents.planner.text import has

_SYNC = r"\b(?:in\s+sync|syncs?|syncing|two[- ]way|both\s+ways|mirror)\b"
_CHASE = r"\b(?:chase|remind\w*|reminders?|nudge|follow[- ]?up|dunning)\b"
_UNPAID = (
    r"\b(?:unpaid|overdue|past\s+due|late|outstanding|open)\s+(?:stripe\s+)?invoices?\b|"
    # "if a stripe invoice is still unpaid 14 days after …"
    r"\binvoices?\s+(?:is|are)\s+(?:still\s+)?(?:unpaid|overdue|outstanding|past\s+due|not\s+paid)\b"
)
_HUMAN = (
    r"((?:[a-z_]+\s+){0,2}[a-z_]+(?:\s*(?:,|and|or|&)\s*(?:[a-z_]+\s+){0,2}[a-z_]+)*)\s+"
    r"(?:should\s+)?(?:go|goes|get\s+sent|are\s+sent|are\s+handed|get\s+handed)\s+to\s+"
    r"(?:a\s+|an?\s+actual\s+|a\s+real\s+)?(?:person|human|someone|people|teammate)"
)
_LABELS = ["question", "order_status", "booking", "complaint", "billing", "other"]
_FEEDS = (
    (r"\breddit\b", "https://www.reddit.com/search.rss?q={q}"),
    (r"\bhacker\s*news\b", "https://hnrss.org/newest?q={q}"),
    (r"\bgoogle\s+news\b", "https://news.google.com/rss/search?q={q}"),
    (r"\bmastodon\b", "https://mastodon.social/tags/{q}.rss"),
)
# Sites social.mentions searches itself (the RSS addresses above are kept for requests that name
# no keyword); Twitter-like requests, which have no public search, get all four.
_SITES = (
    (r"\breddit\b", "reddit"),
    (r"\bhacker\s*news\b", "hackernews"),
    (r"\bmastodon\b|\bfediverse\b", "mastodon"),
    (r"\bbluesky\b|\bbsky\b", "bluesky"),
)
_ANY_SOCIAL = r"\btwitter\b|\btweets?\b|\bx\.com\b|\bsocial\s+media\b|\bsocials\b"
_MENTIONED = re.compile(
    r"\bmention(?:s|ed|ing)?\s+(?:of\s+)?([a-z0-9][\w&'.-]*)\s+(?:on|in|across|anywhere)\b"
)
_MENTIONS_DIGEST = (
    "{{ steps['ID'].count }} new mention(s):\n{% for item in steps['ID']['items'] %}"
    "• <{{ item.url }}|{{ item.title }}> ({{ item.source_name }})\n{% endfor %}"
)
_KEYWORDS = re.compile(
    r"\b(?:keywords?|mentions?\s+of|mentioning|words?)\s*:?\s+(?:like\s+|such\s+as\s+)?"
    r"([^.;:]+?)(?=\s+(?:and\s+|then\s+)?(?:post|send|tell|notify|ping|alert|drop|share|let)\b|"
    r"[.;:]|$)"
)
_ESCALATION = (
    ":rotating_light: {{ steps.remind.escalate | length }} invoice(s) are still unpaid after "
    "every reminder:\n{% for inv in steps.remind.escalate %}• {{ inv.number or inv.id }} "
    "{{ inv.customer_email or '' }}\n{% endfor %}"
)
_SYNC_NOTE = (
    "CRM ↔ HubSpot sync: {{ steps.sync.pushed }} to HubSpot, {{ steps.sync.pulled }} to the CRM, "
    "{{ steps.sync.conflicts | length }} conflict(s) decided by the newest edit."
)
_DIGEST = (
    "{{ steps['new_items'].count }} new mention(s):\n{% for item in steps['new_items']['items'] %}"
    "• <{{ item.link }}|{{ item.title }}>\n{% endfor %}"
)


def apply_recipes(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> set[str]:
    """Reshape `raw` after the matching templates; return extra tool names the request settled."""
    t = slots.text
    before = copy.deepcopy(raw)
    settled: set[str] = set()
    if _hubspot_sync(raw, trigger, slots):
        settled.add("hubspot")
    if uptime_monitor(raw, trigger, slots):
        return settled
    if sheet_rows_added(raw, trigger, slots):
        return settled | {"sheets"}
    _invoice_reminders(raw, trigger, slots)
    _human_only(raw, trigger, slots)
    _feeds(raw, trigger, slots)
    _chart(raw, t)
    lead_form(raw, trigger, slots)
    if not onboarding_drip(raw, trigger, slots):
        follow_up_sequence(raw, trigger, slots)
    appointment_reminders(raw, trigger, slots)
    ids = [step.get("id") for step in raw.get("steps", [])]
    if len(ids) != len(set(ids)):  # a recipe step clashed with one already drafted: keep the draft
        raw.clear()
        raw.update(before)
        return set()
    return settled


def _hubspot_sync(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """crm-two-way-sync: "keep our CRM and HubSpot in sync both ways" → crm.sync_hubspot."""
    t = slots.text
    if not (has(t, r"\bhubspot\b") and has(t, r"\bcrm\b|\bcontacts?\b") and has(t, _SYNC)):
        return False
    if slots.tools - {"crm", "slack", "email"} or has(t, r"\bdeals?\b|\borders?\b|\bairtable\b"):
        return False
    if trigger.kind in ("poll", "manual"):
        raw["trigger"] = {"type": "schedule", "cron": "0 * * * *", "timezone": "UTC"}
    kept = [s for s in raw["steps"] if not str(s.get("action", "")).startswith(("crm.", "http."))]
    for step in kept:
        if step.get("action") == "slack.post_message":
            step["inputs"]["text"] = _SYNC_NOTE
            step["when"] = "steps.sync.conflicts | length > 0"
    raw["steps"] = [_step("sync", "crm.sync_hubspot", {"full": False}), *kept]
    raw["category"] = "data_sync"
    return True


def _invoice_reminders(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> None:
    """invoice-follow-up: staged reminders of unpaid Stripe invoices, escalated in Slack."""
    t = slots.text
    guessed_event = trigger.kind == "stripe" and trigger.rule in ("stripe_loose", "model")
    kinds = ("manual", "schedule", "poll")
    if (trigger.kind not in kinds and not guessed_event) or "stripe" not in slots.tools:
        return
    if not (has(t, _CHASE) and has(reminder_points_masked(t), _UNPAID)):
        return  # "remind me to chase the unpaid invoices": a reminder to me, not the chasing
    stages = [d for d in slots.drip_days if d <= 90] or [3, 7, 14]
    if trigger.kind != "schedule" and trigger.rule != "on_demand":  # "a button i can hit": by hand
        raw["trigger"] = {"type": "schedule", "cron": "0 9 * * *", "timezone": "UTC"}
    inputs = {"stages": stages, "escalate_after_days": max(stages)}
    steps: list[dict[str, Any]] = [_step("remind", "stripe.invoice_reminders", inputs)]
    for step in raw["steps"]:
        action = step.get("action")
        if action == "slack.post_message":
            step["inputs"]["text"] = _ESCALATION
            step["when"] = "steps.remind.escalate | length > 0"
            steps.append(step)
        elif action and action not in ("stripe.list_invoices", "email.send"):
            steps.append(step)
    raw["steps"] = steps
    raw["category"] = "sales_automation"


def _human_only(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> None:
    """email-auto-responder: categories "going to a person" get a Slack note, not a reply."""
    t = slots.text
    match = re.search(_HUMAN, t)
    if trigger.kind != "email" or not match:
        return
    reply = next(
        (s for s in raw["steps"] if s.get("action") == "email.send" and "trigger.from" in str(s)),
        None,
    )
    if reply is None:
        return
    human = _categories(match.group(1))
    if not human:
        return
    labels = list(dict.fromkeys([*_LABELS[:-1], *human, "other"]))
    skip = f"steps.categorize.label not in {human!r}"
    channel = _channel_after(slots, match.end()) or "#support"
    categorize = _step(
        "categorize",
        "ai.categorize",
        {
            "text": "Subject: {{ trigger.subject }}\n\n{{ trigger.text }}",
            "labels": labels,
            "fallback": "other",
        },
    )
    draft_reply = _step(
        "draft",
        "ai.draft_reply",
        {"message": "{{ trigger.text }}", "label": "{{ steps.categorize.label }}"},
        when=skip,
    )
    reply["inputs"]["text"] = "{{ steps.draft.reply }}"
    reply["when"] = skip
    flag = _step(
        "flag",
        "slack.post_message",
        {
            "channel": channel,
            "text": "A {{ steps.categorize.label }} email from {{ trigger.from }} needs a person: "
            '"{{ trigger.subject }}"',
        },
        when=f"steps.categorize.label in {human!r}",
    )
    rest = [
        s
        for s in raw["steps"]
        if s is not reply
        and not str(s.get("action", "")).startswith("ai.")
        and not (s.get("action") == "slack.post_message" and s["inputs"].get("channel") == channel)
    ]
    raw["steps"] = [categorize, draft_reply, reply, flag, *rest]


def _categories(phrase: str) -> list[str]:
    """Labels from "complaints and billing questions" → ["complaint", "billing"]."""
    labels: list[str] = []
    for part in re.split(r"\s*(?:,|\band\b|\bor\b|&)\s*", phrase):
        words = [w for w in part.split() if w not in ("the", "any", "all", "emails", "mails")]
        words = [w for w in words if w not in ("questions", "issues", "requests", "messages")] or [
            w for w in words
        ]
        if not words:
            continue
        word = words[0]
        label = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
        if re.fullmatch(r"[a-z_]{2,30}", label) and label not in labels:
            labels.append(label)
    return labels


def _channel_after(slots: Slots, start: int) -> str | None:
    """The channel named by the first "#chN" placeholder after a position in the text."""
    found = re.search(r"#ch(\d+)", slots.text[start:])
    return None if found is None else "#" + slots.channels[int(found.group(1))]


def _feeds(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> None:
    """social-media-monitor: social sites named → social.mentions; else several feeds and unquoted
    keywords → rss.new_items urls/keywords."""
    t = slots.text
    step = next((s for s in raw["steps"] if s.get("action") == "rss.new_items"), None)
    if step is None:
        return
    keywords = list(step["inputs"].get("keywords") or [])
    named = _KEYWORDS.search(t)
    if not keywords and named:
        keywords = [
            k.strip(" '\"")
            for k in re.split(r"\s*(?:,|\band\b|\bor\b|/)\s*", named.group(1))
            if k.strip(" '\"")
        ][:10]
    words = re.sub(r"https?://\S+", " ", t)
    asked_feeds = has(words, r"\bfeeds?\b|\brss\b")  # "the Hacker News feed": RSS as asked
    sites = [] if asked_feeds else [name for pattern, name in _SITES if has(words, pattern)]
    if not sites and not asked_feeds and has(words, _ANY_SOCIAL):
        sites = ["reddit", "hackernews", "mastodon", "bluesky"]
    mentioned = _MENTIONED.search(words)
    if sites and not keywords and mentioned and mentioned.group(1) not in ("our", "us", "the"):
        keywords = [mentioned.group(1)]
    if sites and keywords:
        _mentions(raw, trigger, step, sites, keywords, t)
        return
    query = re.sub(r"[^a-z0-9]+", "+", (keywords[0] if keywords else "our-brand").lower())
    urls = [u.rstrip(".,)") for u in re.findall(r"https?://\S+", t)]
    urls += [url.format(q=query.strip("+")) for pattern, url in _FEEDS if has(t, pattern)]
    urls = list(dict.fromkeys(urls))
    if len(urls) >= 2:
        step["inputs"] = {"urls": urls[:10], "keywords": keywords}
        if trigger.kind == "poll":
            raw["trigger"]["url"] = urls[0]
    else:
        step["inputs"]["keywords"] = keywords
    for other in raw["steps"]:
        if other.get("action") == "slack.post_message" and "trigger" in str(other["inputs"]):
            other["inputs"]["text"] = _DIGEST.replace("new_items", step["id"])
            other["when"] = f"steps['{step['id']}'].count > 0"


def _mentions(
    raw: dict[str, Any], trigger: TriggerReading, step: dict[str, Any], sites: list[str],
    keywords: list[str], t: str,
) -> None:  # fmt: skip
    """social.mentions for the named sites, first; feeds the request names (addresses, Google
    News) are read by the same step; a poll without a feed looks for mentions only."""
    feeds = [u.rstrip(".,)") for u in re.findall(r"https?://\S+", t)]
    if has(t, r"\bgoogle\s+news\b"):
        query = re.sub(r"[^a-z0-9]+", "+", keywords[0].lower()).strip("+")
        feeds.append(f"https://news.google.com/rss/search?q={query}")
    feeds = list(dict.fromkeys(feeds))[:10]
    step["action"] = "social.mentions"
    step["inputs"] = {
        "keywords": keywords[:5],
        "sources": sites,
        **({"feeds": feeds} if feeds else {}),
    }
    twitter = r"https?://(?:api\.)?(?:twitter|x)\.com\b"
    rest = [
        s
        for s in raw["steps"]
        if s is not step
        and not (
            s.get("action") == "http.request" and re.match(twitter, str(s["inputs"].get("url", "")))
        )
    ]
    raw["steps"] = [step, *rest]
    if trigger.kind in ("poll", "manual"):
        every = int(raw["trigger"].get("interval_seconds") or 900)
        raw["trigger"] = {"type": "poll", **({"url": feeds[0]} if feeds else {}),
                          "interval_seconds": every}  # fmt: skip
    for other in rest:
        if other.get("action") == "slack.post_message" and "trigger" in str(other["inputs"]):
            other["inputs"]["text"] = _MENTIONS_DIGEST.replace("ID", step["id"])
            other["when"] = f"steps['{step['id']}'].count > 0"


def _chart(raw: dict[str, Any], t: str) -> None:
    """weekly-analytics-report: a report asked for "with a chart" builds one."""
    if not has(t, r"\b(?:charts?|graphs?|plots?|visuali[sz]\w*)\b"):
        return
    for step in raw["steps"]:
        if step.get("action") == "report.build":
            step["inputs"]["chart"] = True


def _step(
    step_id: str, action: str, inputs: dict[str, Any], when: str | None = None
) -> dict[str, Any]:
    step: dict[str, Any] = {"id": step_id, "action": action, "inputs": inputs}
    if when:
        step["when"] = when
    return step
