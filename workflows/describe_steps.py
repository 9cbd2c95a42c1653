"""Each registry action as a sentence about what it does to whom ("Email you the report").

`ACTION_WORDS` has one entry per action in `integrations.catalog.default_registry()` (a test
fails when an action has none). Each entry turns a step's unrendered inputs into words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from integrations.durations import parse_duration
from integrations.page_changes import page_words
from workflows.describe_people import channel_words, host_words, person_of, recipient_words
from workflows.describe_refs import Scene, content_words, join_words, quoted, shape_of
from workflows.stand_ins import is_stand_in


@dataclass(frozen=True)
class StepView:
    """One step's inputs, with helpers that say them in words."""

    step: Mapping[str, Any]
    scene: Scene

    @property
    def inputs(self) -> Mapping[str, Any]:
        """The step's (unrendered) inputs."""
        inputs = self.step.get("inputs")
        return inputs if isinstance(inputs, Mapping) else {}

    def content(self, key: str) -> str:
        """What the input carries ("the report", "“Hello”")."""
        return content_words(self.inputs.get(key), self.scene)

    def who(self, key: str) -> str:
        """Whom an address input reaches ("you", "the sender")."""
        return recipient_words(self.inputs.get(key), self.scene)

    def about(self, key: str = "email") -> str:
        """Whom a record is about ("the person", "jane@example.com")."""
        value = self.inputs.get(key)
        if isinstance(value, str) and "{" not in value and value.strip():
            return value.strip()
        who = person_of(shape_of(value), self.scene)
        if who is None:
            return "the contact"
        return {
            "the person who filled in the form": "the person",
            "the person who wrote in Slack": "the person",
            "the person who opened the ticket": "the person",
            "the customer who ordered": "the customer",
            "the person who signed up": "the person",
        }.get(who, who)

    def text(self, key: str) -> str | None:
        """A literal input in quotes, else None."""
        return quoted(self.inputs.get(key))

    def labels(self, key: str) -> str:
        """A list input as "a, b or c"."""
        value = self.inputs.get(key)
        items = [str(v) for v in value] if isinstance(value, list) else []
        if not items:
            return "categories"
        return ", ".join(items[:-1]) + (" or " if len(items) > 1 else "") + items[-1]


def period_words(value: Any) -> str:
    """A period input ("7 days") as "the last 7 days"."""
    text = " ".join(str(value or "7 days").split())
    if text.startswith("1 ") and not text[2:].startswith("0"):
        return f"the last {text[2:].removesuffix('s')}"
    return f"the last {text}"


def duration_words(value: Any) -> str:
    """A duration ("2d", "90 minutes") in words ("2 days", "1 hour 30 minutes")."""
    try:
        seconds = int(parse_duration(str(value)))
    except (ValueError, TypeError):
        return str(value)
    parts: list[str] = []
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and (unit != "week" or seconds % size == 0):
            count, seconds = divmod(seconds, size)
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    if seconds or not parts:
        parts.append(f"{seconds} second{'' if seconds == 1 else 's'}")
    return " ".join(parts[:2])


def _slack(v: StepView) -> str:
    where = channel_words(v.inputs.get("channel"), v.scene)
    what = v.content("text")
    if where.endswith("(direct message)"):
        return f"Send {where.removesuffix(' (direct message)')} a Slack message with {what}"
    return f"Post {what} in {where}"


LONG_TEXT = 40  # characters of fixed text: a written email, said by its subject


def _email(v: StepView) -> str:
    who, what = v.who("to"), v.content("text")
    long_text = len(shape_of(v.inputs.get("text")).literal) >= LONG_TEXT
    written = what == "a message" or what.startswith("“") or long_text
    subject = v.text("subject")
    raw_subject = str(v.inputs.get("subject") or "")
    cc = f" (copying {v.who('cc')})" if v.inputs.get("cc") else ""
    drip = " (they can unsubscribe)" if v.inputs.get("drip") or v.inputs.get("template") else ""
    if v.inputs.get("in_reply_to") or raw_subject.lower().startswith("re:"):
        sentence = f"Reply to {who} with {'a message' if written else what}"
    elif subject and (written or shape_of(v.inputs.get("text")).lone is None):
        sentence = f"Send {'you ' if who == 'you' else ''}an email titled {subject}" + (
            "" if who == "you" else f" to {who}"
        )
    elif written:
        sentence = f"Send {'you an email' if who == 'you' else 'an email to ' + who}"
    else:
        sentence = f"Email you {what}" if who == "you" else f"Email {what} to {who}"
    return sentence + cc + drip


def _bulk(v: StepView) -> str:
    segment = v.inputs.get("segment")
    who = "every contact in your CRM"
    if isinstance(segment, Mapping) and (segment.get("stage") or segment.get("source")):
        bits = [f"at stage “{segment['stage']}”" if segment.get("stage") else ""]
        bits.append(f"from “{segment['source']}”" if segment.get("source") else "")
        who = "every CRM contact " + " ".join(b for b in bits if b)
    subject = v.text("subject")
    return f"Email {who} {('an email titled ' + subject) if subject else 'the same email'}"


STAGE_NOUNS = ("lead", "customer", "prospect", "subscriber", "client", "partner", "member", "vip")


def _upsert(place: str) -> Callable[[StepView], str]:
    def words(v: StepView) -> str:
        stage = v.text("stage")
        plain = stage.strip("“”").lower() if stage else ""
        role = f"as a {plain}" if plain in STAGE_NOUNS else "as a contact"
        at = f" (stage {stage})" if stage and plain not in STAGE_NOUNS else ""
        return f"Add or update {v.about()} {role} in {place}{at}"

    return words


def _update_contact(v: StepView) -> str:
    changes = []
    if stage := v.text("stage"):
        changes.append(f"set stage {stage}")
    if v.inputs.get("fields"):
        changes.append("update details")
    if v.inputs.get("note"):
        changes.append("add a note")
    about = (
        "it"
        if v.step.get("for_each") and "{{ item.email }}" in str(v.inputs.get("email"))
        else v.about()
    )
    return f"Update {about} in your CRM" + (f" ({join_words(changes)})" if changes else "")


def _find_contacts(v: StepView) -> str:
    bits = []
    if query := v.text("query"):
        bits.append(f"matching {query}")
    if stage := v.text("stage"):
        bits.append(f"at stage {stage}")
    if source := v.text("source"):
        bits.append(f"from {source}")
    if within := v.inputs.get("created_within"):
        bits.append(f"added in {period_words(within)}")
    if quiet := v.inputs.get("inactive_for"):
        bits.append(f"untouched for {quiet}")
    return "Look up contacts in your CRM" + (" " + ", ".join(bits) if bits else "")


def _categorize(v: StepView) -> str:
    return f"Have AI sort {v.content('text')} into {v.labels('labels')}"


def _summarize(v: StepView) -> str:
    count = v.inputs.get("max_sentences")
    limit = f" in up to {count} sentences" if isinstance(count, int) else ""
    return f"Have AI summarise {v.content('text')}{limit}"


def _draft_reply(v: StepView) -> str:
    uses = " from your reply templates" if v.inputs.get("templates") else ""
    return f"Have AI draft a reply to {v.content('message')}{uses}"


def _extract(v: StepView) -> str:
    fields = v.inputs.get("fields")
    names = [str(f) for f in fields] if isinstance(fields, list) else []
    shown = names if len(names) <= 4 else [*names[:4], "more"]
    what = join_words(shown) or "details"
    return f"Have AI pull the {what} out of {v.content('text')}"


def _crossed(v: StepView) -> str:
    if v.inputs.get("key") == "down":
        return (
            "Note whether it is down, so you hear once when it goes down and once when it is back"
        )
    direction = "drops below" if v.inputs.get("direction") == "below" else "goes over"
    value = content_words(v.inputs.get("value"), v.scene)
    limit = v.inputs.get("threshold")
    return f"Check whether {value} {direction} {limit} (it alerts once, not on every check)"


def _http(v: StepView) -> str:
    method = str(v.inputs.get("method") or "GET").upper()
    host = host_words(v.inputs.get("url"))
    name = v.step.get("name")
    if is_stand_in(str(v.inputs.get("url") or "")):  # a drafted stand-in
        said = name if isinstance(name, str) and name else _http_words(v, method, host)
        return f"{said} (its web address is still to be filled in)"
    if isinstance(name, str) and name and method not in ("GET", "HEAD"):
        return f"{name} (through {host})"  # "Set the new subscription prices in Stripe"
    return _http_words(v, method, host)


def _http_words(v: StepView, method: str, host: str) -> str:
    if method in ("GET", "HEAD"):
        return f"Check {host}" if v.step.get("continue_on_error") else f"Fetch data from {host}"
    if method == "DELETE":
        return f"Ask {host} to delete {'it' if v.step.get('for_each') else 'something'}"
    body = v.inputs.get("json_body", v.inputs.get("json", v.inputs.get("body")))
    what = content_words(body, v.scene) if body is not None else "a request"
    return f"Send {what} to {host}"


_SECTION_WORDS = {
    "runs": "runs, failures",
    "contacts": "new leads",
    "deals": "deals closed",
    "new_deals": "new deals",
}


def _report(v: StepView) -> str:
    include = v.inputs.get("include")
    sections = include if isinstance(include, list) and include else ["runs", "contacts"]
    what = ", ".join(_SECTION_WORDS[s] for s in sections if s in _SECTION_WORDS)
    return f"Build a report of {period_words(v.inputs.get('period'))} ({what})"


def _rss(v: StepView) -> str:
    urls = v.inputs.get("urls")
    listed = list(urls) if isinstance(urls, list) else []
    feeds = [host_words(u) for u in [v.inputs.get("url"), *listed] if u]
    keywords = v.inputs.get("keywords")
    about = ""
    if isinstance(keywords, list) and keywords:
        about = " mentioning " + " or ".join(f"“{k}”" for k in keywords)
    return f"Check {join_words(feeds) or 'the feed'} for new items{about}"


def _check_pages(v: StepView) -> str:
    pages = v.inputs.get("pages")
    listed = [str(p) for p in pages] if isinstance(pages, list) else []
    where = page_words(listed[0]) if len(listed) == 1 else f"{len(listed)} pages"
    if v.inputs.get("watch") != "prices":
        return f"Look at {where} for changes since the last look"
    percent = v.inputs.get("min_change_percent")
    by = f" of {float(percent):g}% or more" if isinstance(percent, int | float) else ""
    moves = {"down": "price drops", "up": "price rises"}.get(str(v.inputs.get("price_moves")))
    return f"Look at {where} for {moves or 'price changes'}{by} since the last look"


_SOCIAL_NAMES = {"reddit": "Reddit", "hackernews": "Hacker News", "mastodon": "Mastodon",
                 "bluesky": "Bluesky"}  # fmt: skip


def _social(v: StepView) -> str:
    sources = v.inputs.get("sources")
    named = sources if isinstance(sources, list) else list(_SOCIAL_NAMES)
    feeds = v.inputs.get("feeds")
    urls = feeds if isinstance(feeds, list) else []
    where = [_SOCIAL_NAMES[s] for s in named if s in _SOCIAL_NAMES]
    if v.inputs.get("subreddit") and "Reddit" in where:
        where[where.index("Reddit")] = f"Reddit (r/{v.inputs['subreddit']})"
    where += [host_words(u) for u in urls if u]
    keywords = v.inputs.get("keywords")
    words = keywords if isinstance(keywords, list) and keywords else ["your keywords"]
    what = " or ".join(f"“{k}”" if keywords else str(k) for k in words)
    return f"Look for new mentions of {what} on {join_words(where) or 'social media'}"


def _sheet(v: StepView) -> str:
    tab, book = v.text("sheet"), v.text("spreadsheet")
    if book and ("/" in book or len(book) > 40):
        book = None  # a URL or an id: the Advanced view shows it
    return f"the {tab or 'first'} tab of your {book + ' ' if book else ''}Google Sheet"


def _append_row(v: StepView) -> str:
    values = v.inputs.get("values")
    what = content_words(values, v.scene) if values is not None else "a row"
    what = "a row" if what.startswith("“") or what == "a message" else f"a row with {what}"
    return f"Add {what} to {_sheet(v)}"


def _update_row(v: StepView) -> str:
    match = v.inputs.get("match")
    keys = [str(k) for k in match] if isinstance(match, Mapping) else []
    where = f" whose {join_words(keys)} match{'es' if len(keys) == 1 else ''}" if keys else ""
    return f"Update the rows{where} in {_sheet(v)}"


def _delete_rows(v: StepView) -> str:
    match = v.inputs.get("match")
    keys = [str(k) for k in match] if isinstance(match, Mapping) else []
    parts = [f"whose {join_words(keys)} match{'es' if len(keys) == 1 else ''}"] if keys else []
    if v.inputs.get("older_than"):
        parts.append(f"older than {v.inputs['older_than']}")
    return f"Delete the rows {' and '.join(parts) or 'chosen'} from {_sheet(v)}"


def _refund(v: StepView) -> str:
    amount = v.inputs.get("amount")
    part = f"{amount} of " if isinstance(amount, int | float) else ""
    return f"Refund {part}the customer's payment in Stripe (money leaves your account)"


def _invoice_reminders(v: StepView) -> str:
    stages = v.inputs.get("stages")
    days = [str(s) for s in stages] if isinstance(stages, list) and stages else ["3", "7", "14"]
    if len(days) == 1:
        return (
            f"Email customers with unpaid Stripe invoices a reminder {days[0]} days overdue (once)"
        )
    return (
        f"Email customers with unpaid Stripe invoices a reminder on days {join_words(days)} "
        "overdue (once each)"
    )


def _list_invoices(v: StepView) -> str:
    status = v.text("status")
    overdue = v.inputs.get("overdue_days")
    late = f" at least {overdue} day{'' if overdue == 1 else 's'} overdue" if overdue else ""
    ahead = v.inputs.get("due_in_days")
    if isinstance(ahead, list) and ahead:
        days = [("today" if d == 0 else "tomorrow" if d == 1 else f"in {d} days") for d in ahead]
        late = f" due {join_words(days)}"
    return f"List {status.strip('“”') + ' ' if status else ''}Stripe invoices{late}"


def _subscription(v: StepView) -> str:
    subscription = v.inputs.get("subscription_id")
    everyone = isinstance(subscription, str) and subscription.strip().lower() in ("all", "*")
    which = "every active subscription" if everyone else "the subscription"
    return f"Move {which} in Stripe to another price"


def _cancel_subscription(v: StepView) -> str:
    later = v.inputs.get("at_period_end") is True
    return "Cancel the subscription in Stripe" + (
        " at the end of the period already paid for" if later else ""
    )


ActionWords = Callable[[StepView], str]
ACTION_WORDS: dict[str, ActionWords] = {
    "ai.categorize": _categorize,
    "ai.draft_reply": _draft_reply,
    "ai.extract": _extract,
    "ai.summarize": _summarize,
    "alert.crossed": _crossed,
    "credentials.rotate": lambda v: (
        f"Replace the stored {v.text('integration') or 'integration'} secret with a new random one"
    ),
    "crm.delete_contacts": lambda v: (
        ("Delete CRM contacts" if v.inputs.get("inactive_for") else "Delete all CRM contacts")
        + (f" at stage {v.text('stage')}" if v.text("stage") else "")
        + (
            f" not updated for {duration_words(v.inputs['inactive_for'])}"
            if v.inputs.get("inactive_for")
            else ""
        )
    ),
    "crm.find_contacts": _find_contacts,
    "crm.get_contact": lambda v: f"Look up {v.about()} in your CRM",
    "crm.sync_hubspot": lambda v: (
        "Sync your CRM contacts with HubSpot both ways (newest edit wins)"
    ),
    "crm.update_contact": _update_contact,
    "crm.upsert_contact": _upsert("your CRM"),
    "email.send": _email,
    "email.send_bulk": _bulk,
    "http.check_pages": _check_pages,
    "http.request": _http,
    "hubspot.list_contacts": lambda v: (
        "List contacts in HubSpot"
        + (" changed since the last check" if v.inputs.get("changed_since") else "")
    ),
    "hubspot.upsert_contact": _upsert("HubSpot"),
    "report.build": _report,
    "rss.new_items": _rss,
    "sheets.append_row": _append_row,
    "sheets.read_rows": lambda v: f"Read the rows of {_sheet(v)}",
    "sheets.update_row": _update_row,
    "sheets.delete_rows": _delete_rows,
    "slack.post_message": _slack,
    "social.mentions": _social,
    "stripe.get_customer": lambda v: "Look up the customer in Stripe",
    "stripe.invoice_reminders": _invoice_reminders,
    "stripe.list_invoices": _list_invoices,
    "stripe.mark_invoice_paid": lambda v: "Mark the invoice as paid, so its reminders stop",
    "stripe.summarize_payments": lambda v: (
        f"Total up Stripe payments, refunds and failed payments for "
        f"{period_words(v.inputs.get('period'))}"
    ),
    "stripe.update_customer": lambda v: "Update the customer's details in Stripe",
    "stripe.refund": _refund,
    "stripe.update_subscription": _subscription,
    "stripe.cancel_subscription": _cancel_subscription,
}


def action_words(step: Mapping[str, Any], scene: Scene) -> str:
    """What one action step does, as a sentence without its condition."""
    action = str(step.get("action") or "")
    words = ACTION_WORDS.get(action)
    if words is None:
        tool = action.split(".", 1)[0].replace("_", " ") or "another tool"
        return f"Do a step in {tool.title() if len(tool) > 3 else tool.upper()}"
    return words(StepView(step, scene))
