"""What starts a workflow, in words, and its next run times formatted for people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from integrations.page_changes import page_words
from workflows.describe_people import host_words
from workflows.describe_steps import duration_words
from workflows.emoji import EMOJI, emoji_name
from workflows.schedule_words import describe_schedule, next_runs
from workflows.stand_ins import is_stand_in

_STRIPE_EVENTS = {
    "invoice.paid": "an invoice is paid",
    "invoice.payment_succeeded": "an invoice is paid",
    "invoice.payment_failed": "an invoice payment fails",
    "invoice.overdue": "an invoice becomes overdue",
    "invoice.created": "an invoice is created",
    "invoice.finalized": "an invoice is finalised",
    "charge.succeeded": "a payment goes through",
    "charge.failed": "a payment fails",
    "charge.refunded": "a payment is refunded",
    "charge.dispute.created": "a customer disputes a payment",
    "payment_intent.succeeded": "a payment goes through",
    "payment_intent.payment_failed": "a payment fails",
    "checkout.session.completed": "someone completes a checkout",
    "customer.created": "a new customer is added",
    "customer.updated": "a customer's details change",
    "customer.deleted": "a customer is deleted",
    "customer.subscription.created": "someone subscribes",
    "customer.subscription.updated": "a subscription changes",
    "customer.subscription.deleted": "a subscription is cancelled",
    "customer.subscription.trial_will_end": "a free trial is about to end",
    "customer.source.expiring": "a customer's card is about to expire",
}


def stripe_event_words(event: str) -> str:
    """One Stripe event type in words ("invoice.paid" → "an invoice is paid")."""
    event = event.strip()
    if event in _STRIPE_EVENTS:
        return _STRIPE_EVENTS[event]
    if event in ("*", ""):
        return "anything happens in your Stripe account"
    if event.endswith(".*"):
        thing = event[:-2].split(".")[-1].replace("_", " ")
        return f"anything happens to a{'n' if thing[:1] in 'aeiou' else ''} {thing}"
    return "Stripe reports a " + event.replace(".", " ").replace("_", " ") + " event"


def trigger_words(trigger: Any) -> str:
    """What starts a workflow, as a phrase ("every Monday at 09:00 (UTC)")."""
    trigger = trigger if isinstance(trigger, Mapping) else {}
    kind = trigger.get("type")
    if kind == "schedule":
        return _schedule(trigger)
    if kind == "interval":
        return "every " + _every(trigger.get("seconds"))
    if kind == "webhook":
        form = trigger.get("form")
        if isinstance(form, Mapping) and form.get("title"):
            return f"when someone fills in the “{form['title']}” form"
        event = trigger.get("event")
        if isinstance(event, str) and event.strip():
            sender = trigger.get("source") or "your website or another app"
            return f"when {event.strip()} (sent in by {sender})"
        if trigger.get("source"):
            return f"when {trigger['source']} sends in new details"
        return "when your website or another app sends in new details"
    if kind == "email":
        where = f" at {trigger['address']}" if trigger.get("address") else ""
        subject = trigger.get("subject_contains")
        about = f" with “{subject}” in the subject" if subject else ""
        return f"when an email arrives{where}{about}"
    if kind == "slack":
        return _slack(trigger)
    if kind == "stripe":
        events = trigger.get("events") if isinstance(trigger.get("events"), list) else []
        said = [stripe_event_words(str(e)) for e in events] or ["something happens in Stripe"]
        return "in Stripe, when " + " or ".join(dict.fromkeys(said))
    if kind == "poll":
        every = _every(trigger.get("interval_seconds", 900))
        if trigger.get("sheet"):
            return f"when a row is added to {_watched_sheet(trigger)} (checked every {every})"
        if isinstance(trigger.get("pages"), list):
            return f"{_watched_pages(trigger)} (checked every {every})"
        if not trigger.get("url"):
            return f"when new mentions turn up (checked every {every})"
        return f"when new items appear at {host_words(trigger.get('url'))} (checked every {every})"
    return "only when someone runs it"


def _watched_pages(trigger: Mapping[str, Any]) -> str:
    """ "when the page at competitor.com/pricing changes", "when a price on one of 40 pages moves
    by 5% or more"."""
    pages = [str(p) for p in trigger.get("pages") or []]
    where = f"the page at {page_words(pages[0])}" if len(pages) == 1 else f"{len(pages)} pages"
    if pages and all(is_stand_in(p) for p in pages):
        where = "the watched page (its address still to be given)"
    if len(pages) != 1:
        where = f"one of {where}" if trigger.get("watch") == "prices" else where
    if trigger.get("watch") != "prices":
        return f"when {where} changes" if len(pages) == 1 else f"when one of {where} changes"
    least = trigger.get("min_change_percent")
    moves = {"down": "drops", "up": "rises"}.get(str(trigger.get("price_moves")))
    if isinstance(least, int | float) and least > 0:
        return f"when a price on {where} {moves or 'moves'} by {least:g}% or more"
    return f"when a price on {where} {moves or 'changes'}"


def _watched_sheet(trigger: Mapping[str, Any]) -> str:
    """ "the Orders sheet", or "the Bookings tab of the Studio sheet" (a URL or id left out)."""
    tab, book = str(trigger.get("sheet") or ""), str(trigger.get("spreadsheet") or "")
    if "/" in book or len(book) > 40:
        book = ""  # a URL or an id: the Advanced view shows it
    if book and tab in ("Sheet1", book):
        return f"the {book} sheet"
    return f"the {tab} tab of the {book} sheet" if book else f"the {tab} sheet"


def _every(seconds: Any) -> str:
    """ "5 minutes", or "hour" for one of a unit ("every hour")."""
    words = duration_words(f"{seconds if isinstance(seconds, int) else 0}s")
    return words[2:] if words.startswith("1 ") and " " not in words[2:] else words


def _schedule(trigger: Mapping[str, Any]) -> str:
    cron = str(trigger.get("cron", ""))
    try:
        words = describe_schedule(trigger)
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        words = ""
    if not words or (cron and cron in words) or "`" in words:
        return f"on a custom schedule ({trigger.get('timezone', 'UTC')})"
    return words


def _slack(trigger: Mapping[str, Any]) -> str:
    where = f" in {trigger['channel']}" if trigger.get("channel") else ""
    if trigger.get("reaction"):
        name = emoji_name(str(trigger["reaction"]))
        emoji = EMOJI.get(name, f"the :{name}: emoji")
        return f"when someone reacts with {emoji} to a message{where or ' in Slack'}"
    if trigger.get("command"):
        return f"when someone types {trigger['command']} in Slack{where}"
    if trigger.get("mention"):
        return f"when someone @mentions Levqor in Slack{where}"
    if trigger.get("keyword"):
        return f"when someone mentions “{trigger['keyword']}” in Slack{where}"
    return f"when someone posts a message{where or ' in Slack'}"


def when_words(at: datetime) -> str:
    """A run time for people: "Mon 7 Dec, 09:00"."""
    return f"{at:%a} {at.day} {at:%b}, {at:%H:%M}"


def next_run_words(
    trigger: Any, *, timezone: str | None = None, now: datetime | None = None, count: int = 3
) -> tuple[list[str], str | None]:
    """The next `count` run times in words, and the zone they are shown in (schedules only)."""
    if not isinstance(trigger, Mapping) or trigger.get("type") != "schedule":
        return [], None
    try:
        zone = ZoneInfo(timezone or str(trigger.get("timezone") or "UTC"))
        runs = next_runs(trigger, count, now)
    except (ValueError, KeyError, TypeError, ZoneInfoNotFoundError):
        return [], None
    return [when_words(run.astimezone(zone)) for run in runs], str(zone)


def trigger_summary(trigger: Any) -> str:
    """The trigger as the opening of a summary sentence ("Every Monday at 09:00 (UTC)")."""
    words = trigger_words(trigger)
    if words == "only when someone runs it":
        words = "when someone runs it"
    return words[:1].upper() + words[1:]


__all__ = [
    "next_run_words",
    "stripe_event_words",
    "trigger_summary",
    "trigger_words",
    "when_words",
]
