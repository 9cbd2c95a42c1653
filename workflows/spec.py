"""`WorkflowSpec`: a workflow as validated data (never code)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from integrations.durations import parse_duration

CATEGORIES = (
    "lead_capture",
    "customer_support",
    "reporting",
    "data_sync",
    "notifications",
    "sales_automation",
)
Category = Literal[
    "lead_capture",
    "customer_support",
    "reporting",
    "data_sync",
    "notifications",
    "sales_automation",
]
MAX_WAIT_SECONDS = 366 * 86400
ACTION_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
STEP_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
_STEP_REF = re.compile(r"\bsteps\.([a-z][a-z0-9_]*)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r}") from exc
    return value


class ManualTrigger(_Strict):
    """Runs only when someone asks ("run it now")."""

    type: Literal["manual"] = "manual"


OnlyOn = Literal[
    "first_business_day",
    "second_business_day",
    "third_business_day",
    "last_business_day",
    "last_day",
    "first_week",
    "second_week",
    "third_week",
    "fourth_week",
    "last_week",
]


class ScheduleTrigger(_Strict):
    """A standard 5-field crontab (0 or 7 = Sunday) in an IANA timezone. Where cron cannot say it,
    `week_interval` (2 = every other week) or `only_on` (e.g. the first business day) keep only
    some of the cron's fires: "every other Monday at 9" is cron "0 9 * * 1" with week_interval 2;
    "first business day of the month at 8" is "0 8 1-3 * *" with only_on "first_business_day";
    "last day of the month at 5pm" is "0 17 28-31 * *" with only_on "last_day"; "last Friday of
    the month" is "0 9 * * 5" with only_on "last_week"."""

    type: Literal["schedule"] = "schedule"
    cron: str
    timezone: str = "UTC"
    week_interval: int = Field(
        default=1,
        ge=1,
        le=12,
        title="Every how many weeks",
        description="Run every this many weeks (2 = every other week), counted from the first "
        "run on or after starts_on.",
    )
    starts_on: date | None = Field(
        default=None,
        title="Count weeks from",
        description="The date the week count starts from (YYYY-MM-DD); today when not given.",
    )
    only_on: OnlyOn | None = Field(
        default=None,
        title="Only on",
        description="Run only on these days of the month: first_business_day (first Monday to "
        "Friday), second_business_day, third_business_day, last_business_day, last_day, or the "
        "first/second/third/fourth/last week (days 1-7, 8-14, 15-21, 22-28, the last 7).",
    )

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from workflows.cron import validate_crontab

        return validate_crontab(value)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)

    @model_validator(mode="after")
    def _rules(self) -> ScheduleTrigger:
        from workflows.schedule_rules import check_rules

        check_rules(self.cron, self.week_interval, self.only_on)
        if self.week_interval > 1 and self.starts_on is None:
            self.starts_on = datetime.now(zoneinfo.ZoneInfo(self.timezone)).date()
        return self

    @model_serializer(mode="wrap")
    def _plain(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A plain weekly cron stays {"type", "cron", "timezone"}: no default rule fields.
        data: dict[str, Any] = handler(self)
        if data.get("week_interval") == 1:
            del data["week_interval"]
        for name in ("starts_on", "only_on"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class IntervalTrigger(_Strict):
    """Every N seconds."""

    type: Literal["interval"] = "interval"
    seconds: int = Field(ge=1, le=31 * 24 * 3600)


FORM_FIELD_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
RESERVED_FORM_FIELDS = ("form_token", "website_url")  # the signed token and the honeypot


class FormField(_Strict):
    """One input of a hosted form; its `name` is the key in the trigger payload."""

    name: str = Field(pattern=FORM_FIELD_PATTERN)
    label: str = Field(min_length=1, max_length=200)
    type: Literal["text", "email", "tel", "url", "number", "textarea"] = "text"
    required: bool = False
    max_length: int = Field(default=1000, ge=1, le=10000)


class FormSpec(_Strict):
    """A hosted form at `/f/{workflow_id}` whose submissions start the webhook workflow."""

    title: str = Field(min_length=1, max_length=200)
    intro: str = Field(default="", max_length=2000)
    fields: list[FormField] = Field(min_length=1, max_length=30)
    submit_label: str = Field(default="Send", min_length=1, max_length=60)
    thank_you: str = Field(default="Thank you! We will be in touch soon.", max_length=2000)

    @field_validator("fields")
    @classmethod
    def _names(cls, fields: list[FormField]) -> list[FormField]:
        names = [f.name for f in fields]
        for name in names:
            if names.count(name) > 1 or name in RESERVED_FORM_FIELDS:
                raise ValueError(f"form field name {name!r} is repeated or reserved")
        return fields


class WebhookTrigger(_Strict):
    """`POST /hooks/{workflow_id}/{secret}`; optionally an HMAC signature header and a form.

    `webhook_response` says when the sender is answered: "accept" (202 with the run id at once)
    or "when_done" (the output of `webhook_response_step`, else of the last step that ran, once
    the run has ended; 202 as with "accept" if that takes over `webhook_timeout_seconds`).
    """

    type: Literal["webhook"] = "webhook"
    source: str | None = Field(default=None, max_length=60)  # the app that sends it, in words
    event: str | None = Field(default=None, max_length=100)  # what happens, in the asker's words
    signature_header: str | None = None
    form: FormSpec | None = None
    webhook_response: Literal["accept", "when_done"] = "accept"
    webhook_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    webhook_response_step: str | None = Field(default=None, pattern=STEP_ID_PATTERN)

    @model_serializer(mode="wrap")
    def _plain(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A plain webhook stays {"type": "webhook"}: the answer settings only when chosen.
        data: dict[str, Any] = handler(self)
        for name, default in (
            ("source", None),
            ("event", None),
            ("webhook_response", "accept"),
            ("webhook_timeout_seconds", 30.0),
            ("webhook_response_step", None),
        ):
            if data.get(name) == default:
                data.pop(name, None)
        return data


class EmailTrigger(_Strict):
    """An email arriving at one of the workspace's addresses."""

    type: Literal["email"] = "email"
    address: str | None = None
    subject_contains: str | None = None


class SlackTrigger(_Strict):
    """A Slack message, mention, slash command, or an emoji reaction put on a message."""

    type: Literal["slack"] = "slack"
    channel: str | None = None
    command: str | None = None
    keyword: str | None = None
    mention: bool | None = None  # true: when someone @mentions Levqor
    # "fire" (Slack's name for 🔥, without colons): when someone reacts with it
    reaction: str | None = Field(default=None, pattern=r"^:?[a-z0-9_+'-]{1,64}:?$")


class StripeTrigger(_Strict):
    """A Stripe event of one of the listed types."""

    type: Literal["stripe"] = "stripe"
    events: list[str] = Field(min_length=1)


MAX_WATCHED_PAGES = 50


class PollTrigger(_Strict):
    """New items in an RSS/Atom feed (`url`), new rows in a Google Sheet (`spreadsheet` and
    `sheet`: one run per row added), changes on web pages (`pages`: one run per changed page;
    `watch` "text" for any change of the visible text, "prices" for moved prices, at least
    `min_change_percent` when set, only drops or only rises with `price_moves` "down" or "up"),
    or new mentions the workflow's `social.mentions` step finds
    (without any of those), checked every `interval_seconds`."""

    type: Literal["poll"] = "poll"
    url: str | None = Field(default=None, pattern=r"^https?://")
    spreadsheet: str | None = Field(default=None, min_length=1, max_length=300)
    sheet: str | None = Field(default=None, min_length=1, max_length=100)
    pages: list[str] | None = None
    watch: Literal["text", "prices"] = "text"
    min_change_percent: float | None = None
    price_moves: Literal["any", "down", "up"] = "any"
    interval_seconds: int = Field(default=900, ge=30)

    @field_validator("pages")
    @classmethod
    def _pages(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        if not 1 <= len(value) <= MAX_WATCHED_PAGES:
            raise ValueError(
                f"a page watch needs between 1 and {MAX_WATCHED_PAGES} page addresses, "
                f"not {len(value)}"
            )
        pages = [page.strip() for page in value]
        for page in pages:
            if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", page):
                raise ValueError(
                    f"“{page[:100]}” is not a web page address: each page starts with "
                    "http:// or https:// and has no spaces"
                )
            if len(page) > 2000:
                raise ValueError("a page address is at most 2,000 characters long")
        if len(set(pages)) != len(pages):
            raise ValueError("the same page address is listed twice")
        return pages

    @model_validator(mode="after")
    def _one_source(self) -> PollTrigger:
        if (self.spreadsheet is None) != (self.sheet is None):
            raise ValueError(
                "a poll of a Google Sheet needs both the spreadsheet and the sheet (tab) name"
            )
        if self.url is not None and self.spreadsheet is not None:
            raise ValueError(
                "a poll watches a feed (url) or a Google Sheet (spreadsheet and sheet), not both"
            )
        if self.pages is not None and (self.url is not None or self.spreadsheet is not None):
            raise ValueError(
                "a poll watches web pages (pages), a feed (url) or a Google Sheet (spreadsheet "
                "and sheet): only one of them"
            )
        if self.price_moves != "any" and self.watch != "prices":
            raise ValueError(
                "price_moves (only drops, or only rises) is for watching prices: set watch to "
                "prices"
            )
        if self.pages is None and (self.watch != "text" or self.min_change_percent is not None):
            raise ValueError(
                "what to watch (watch, min_change_percent) is only for web pages: list them "
                "in pages"
            )
        if self.min_change_percent is not None:
            if self.watch != "prices":
                raise ValueError(
                    "min_change_percent is for watching prices: set watch to prices, or leave "
                    "it out to hear of every change of the page"
                )
            if not 0 <= self.min_change_percent <= 1000:
                raise ValueError("min_change_percent is a percentage between 0 and 1000")
        return self

    @model_serializer(mode="wrap")
    def _plain(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A feed or mentions poll stays {"type", "url", "interval_seconds"}: no sheet fields and
        # no page fields; a page poll keeps `watch`, and `min_change_percent` only when set.
        data: dict[str, Any] = handler(self)
        for name in ("spreadsheet", "sheet", "pages", "min_change_percent"):
            if data.get(name) is None:
                data.pop(name, None)
        if data.get("price_moves") == "any":
            data.pop("price_moves", None)
        if data.get("pages") is None:
            data.pop("watch", None)
        elif data.get("url") is None:
            data.pop("url", None)  # a page poll: `pages` says what it watches
        return data


Trigger = Annotated[
    ManualTrigger
    | ScheduleTrigger
    | IntervalTrigger
    | WebhookTrigger
    | EmailTrigger
    | SlackTrigger
    | StripeTrigger
    | PollTrigger,
    Field(discriminator="type"),
]
TRIGGER_MODELS: tuple[type[BaseModel], ...] = (
    ManualTrigger,
    ScheduleTrigger,
    IntervalTrigger,
    WebhookTrigger,
    EmailTrigger,
    SlackTrigger,
    StripeTrigger,
    PollTrigger,
)
TRIGGER_TYPES = ("manual", "schedule", "interval", "webhook", "email", "slack", "stripe", "poll")


class RetryPolicy(_Strict):
    """How often, and how patiently, a failing step is retried."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_seconds: float = Field(default=1.0, ge=0, le=3600)
    max_backoff_seconds: float = Field(default=60.0, ge=0, le=86400)


class Step(_Strict):
    """One step: an integration action, or a persisted wait ("wait 2 days")."""

    id: str = Field(pattern=STEP_ID_PATTERN)
    name: str | None = None
    action: str | None = Field(default=None, pattern=ACTION_PATTERN)
    inputs: dict[str, Any] = Field(default_factory=dict)
    wait: str | None = None
    when: str | None = Field(default=None, max_length=500)
    # Runs the action once per element of a list in the run context (an expression like
    # `steps.read_rows.rows`); the inputs see `item` (the element) and `item_index` (0-based).
    for_each: str | None = Field(default=None, max_length=500)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    timeout_seconds: float | None = Field(default=None, gt=0, le=3600)
    # After its retries, a failure is recorded and the run goes on: later steps read
    # `steps.<id>.failed` (true) and `steps.<id>.error` (the reason in words).
    continue_on_error: bool | None = None

    @field_validator("wait")
    @classmethod
    def _wait(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from workflows.timed_waits import check_wait, timed_wait

        check_wait(value)  # a duration, "until {{ … }}" or "24 hours before {{ … }}"
        timed = timed_wait(value)
        length = timed.lead_seconds if timed else parse_duration(value)
        if length > MAX_WAIT_SECONDS:
            raise ValueError(f"wait {value!r} is longer than 366 days")
        return value

    @model_validator(mode="after")
    def _kind(self) -> Step:
        if (self.action is None) == (self.wait is None):
            raise ValueError("a step needs exactly one of `action` or `wait`")
        if self.wait is not None and self.continue_on_error:
            raise ValueError("a wait cannot fail, so it cannot continue on error")
        if self.wait is not None and self.for_each is not None:
            raise ValueError(f"step {self.id!r}: a wait cannot repeat for each item (for_each)")
        from workflows.expressions import ExpressionError, check_expression, check_template

        try:
            if self.when is not None:
                check_expression(self.when)
            if self.for_each is not None:
                try:
                    check_expression(self.for_each)
                except ExpressionError as exc:
                    raise ExpressionError(f"for_each: {exc}") from None
            for field, text in strings_in(self.inputs, "inputs"):
                try:
                    check_template(text)
                except ExpressionError as exc:
                    raise ExpressionError(f"{field}: {exc}") from None
        except ExpressionError as exc:
            raise ValueError(f"step {self.id!r}: {exc}") from None
        return self

    @property
    def wait_seconds(self) -> float:
        """The wait's length in seconds (0 for action steps and for waits until a time)."""
        from workflows.timed_waits import timed_wait

        if not self.wait or timed_wait(self.wait):
            return 0.0
        return parse_duration(self.wait)


class WorkflowSpec(_Strict):
    """A whole workflow: what starts it and the steps it runs, in order."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    category: Category | None = None
    trigger: Trigger
    steps: list[Step] = Field(min_length=1, max_length=50)
    # Why an owner must approve it though no step is critical (the drafter's risk check,
    # agents/risk_check.py): set, the workflow is class C and the card shows the sentence.
    owner_check: str | None = Field(default=None, max_length=400)

    @model_validator(mode="after")
    def _steps_consistent(self) -> WorkflowSpec:
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if step.id in seen:
                raise ValueError(f"steps[{index}] ({step.id}): duplicate step id")
            for field, text in strings_in(step.inputs, "inputs"):
                for ref in _STEP_REF.findall(text):
                    if ref not in seen:
                        raise ValueError(
                            f"steps[{index}] ({step.id}).{field}: refers to step {ref!r}, "
                            "which does not run before it"
                        )
            seen.add(step.id)
        trigger = self.trigger
        sourceless = isinstance(trigger, PollTrigger) and not (
            trigger.url or trigger.sheet or trigger.pages
        )
        if sourceless and "social.mentions" not in self.actions():
            raise ValueError(
                "trigger.url: a poll needs a feed address or a mentions step (or a Google "
                "Sheet to watch: spreadsheet and sheet, or web pages to watch: pages)"
            )
        answer = getattr(self.trigger, "webhook_response_step", None)
        if answer is not None and answer not in seen:
            raise ValueError(f"trigger.webhook_response_step: there is no step {answer!r}")
        return self

    def actions(self) -> list[str]:
        """The actions this spec uses, in step order."""
        return [s.action for s in self.steps if s.action]

    def integrations(self) -> list[str]:
        """The integrations this spec uses, without repeats, in first-use order."""
        return list(dict.fromkeys(a.split(".", 1)[0] for a in self.actions()))


def strings_in(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in nested inputs, with where it sits ("inputs.json.url")."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in strings_in(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in strings_in(v, f"{path}[{i}]")]
    return []
