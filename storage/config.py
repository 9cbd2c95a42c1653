"""Settings: the one place configuration is read (environment and `.env`)."""

from __future__ import annotations

import json
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Levqor's configuration; every field maps to an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path(".levqor"), alias="LEVQOR_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    secret_key: str | None = Field(default=None, alias="LEVQOR_SECRET_KEY")
    # The key ring for secrets at rest, newest first: the first key encrypts, every key decrypts
    # (`levqor keys rotate-encryption` re-encrypts with the first). Unset: LEVQOR_SECRET_KEY.
    encryption_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="LEVQOR_ENCRYPTION_KEYS"
    )
    host: str = Field(default="127.0.0.1", alias="LEVQOR_HOST")
    port: int = Field(default=8000, alias="LEVQOR_PORT")
    # Unset: the address the server listens on (`address_url(host, port)`, kept in step with
    # `levqor serve --host/--port` by `listening_at`); set it when people reach Levqor elsewhere.
    public_url: str = Field(default="http://127.0.0.1:8000", alias="LEVQOR_PUBLIC_URL")
    log_level: str = Field(default="INFO", alias="LEVQOR_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", alias="LEVQOR_LOG_FORMAT")
    run_scheduler: bool = Field(default=True, alias="LEVQOR_SCHEDULER")
    # Scale-out (docs/scaling.md): what this process does, and whether runs go through the
    # PostgreSQL job queue (implied by the web and worker roles) instead of this process.
    role: Literal["all", "web", "worker", "scheduler"] = Field(default="all", alias="LEVQOR_ROLE")
    run_queue: bool = Field(default=False, alias="LEVQOR_RUN_QUEUE")
    # When set, `GET /metrics` needs `Authorization: Bearer <this>`.
    metrics_token: str | None = Field(default=None, alias="LEVQOR_METRICS_TOKEN")
    worker_concurrency: int = Field(default=8, ge=1, le=256, alias="LEVQOR_WORKER_CONCURRENCY")
    # How often a standby scheduler tries to take the lead (and the leader checks it still has it).
    leader_poll_seconds: float = Field(default=1.0, gt=0, alias="LEVQOR_LEADER_POLL_SECONDS")
    # How often the lead scheduler re-reads which workflows are scheduled (web nodes change them).
    schedule_refresh_seconds: float = Field(
        default=5.0, gt=0, alias="LEVQOR_SCHEDULE_REFRESH_SECONDS"
    )

    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    slack_owner_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="SLACK_OWNER_IDS"
    )
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_authorize_url: str = Field(
        default="https://slack.com/oauth/v2/authorize", alias="SLACK_AUTHORIZE_URL"
    )

    smtp_url: str | None = Field(default=None, alias="SMTP_URL")
    # Unset: each workspace sends as <slug>@<slug>.<mail_domain> (integrations.smtp.sender_address);
    # set, it may use `{slug}` and `{mail_domain}`. The display name is the workspace's name.
    email_from: str = Field(default="levqor@localhost", alias="LEVQOR_EMAIL_FROM")

    openai_api_key: str | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    openai_model: str = Field(default="gpt-4o-mini", alias="OPENAI_MODEL")

    stripe_secret_key: str | None = Field(default=None, alias="STRIPE_SECRET_KEY")
    stripe_webhook_secret: str | None = Field(default=None, alias="STRIPE_WEBHOOK_SECRET")
    stripe_api_base: str = Field(default="https://api.stripe.com", alias="STRIPE_API_BASE")
    # Levqor's own billing (accounts.stripe_billing): Levqor's Stripe account, never a workspace's.
    stripe_billing_secret_key: str | None = Field(default=None, alias="STRIPE_BILLING_SECRET_KEY")
    stripe_billing_webhook_secret: str | None = Field(
        default=None, alias="STRIPE_BILLING_WEBHOOK_SECRET"
    )
    billing_sweep_seconds: float = Field(default=3600.0, gt=0, alias="LEVQOR_BILLING_SWEEP_SECONDS")
    # What each side of a referral gets on its Levqor bill when the referred workspace first pays.
    referral_credit_pence: int = Field(default=1000, ge=0, alias="LEVQOR_REFERRAL_CREDIT_PENCE")

    sheets_api_base: str = Field(
        default="https://sheets.googleapis.com", alias="GOOGLE_SHEETS_API_BASE"
    )
    # Google Sheets connects per workspace through OAuth 2 (offline access, refresh tokens).
    google_client_id: str | None = Field(default=None, alias="GOOGLE_CLIENT_ID")
    google_client_secret: str | None = Field(default=None, alias="GOOGLE_CLIENT_SECRET")
    google_auth_url: str = Field(
        default="https://accounts.google.com/o/oauth2/v2/auth", alias="GOOGLE_AUTH_URL"
    )
    google_token_url: str = Field(
        default="https://oauth2.googleapis.com/token", alias="GOOGLE_TOKEN_URL"
    )
    hubspot_api_base: str = Field(default="https://api.hubapi.com", alias="HUBSPOT_API_BASE")
    hubspot_token: str | None = Field(default=None, alias="HUBSPOT_TOKEN")
    # HubSpot may also connect per workspace through OAuth (a public app's id and secret).
    hubspot_client_id: str | None = Field(default=None, alias="HUBSPOT_CLIENT_ID")
    hubspot_client_secret: str | None = Field(default=None, alias="HUBSPOT_CLIENT_SECRET")
    hubspot_auth_base: str = Field(default="https://app.hubspot.com", alias="HUBSPOT_AUTH_BASE")

    # social.mentions: the public search APIs it reads (tests point them at local fakes).
    reddit_api_base: str = Field(default="https://www.reddit.com", alias="LEVQOR_REDDIT_API_BASE")
    hackernews_api_base: str = Field(
        default="https://hn.algolia.com", alias="LEVQOR_HACKERNEWS_API_BASE"
    )
    # Unset: each step's own instance (https://{instance}); set, every instance is read there.
    mastodon_api_base: str | None = Field(default=None, alias="LEVQOR_MASTODON_API_BASE")
    bluesky_api_base: str = Field(
        default="https://public.api.bsky.app", alias="LEVQOR_BLUESKY_API_BASE"
    )

    http_allowed_hosts: list[str] = Field(default_factory=list, alias="LEVQOR_HTTP_ALLOWED_HOSTS")
    webhook_max_bytes: int = Field(default=256 * 1024, alias="LEVQOR_WEBHOOK_MAX_BYTES")
    webhook_legacy_signatures: bool = Field(default=False, alias="LEVQOR_WEBHOOK_LEGACY_SIGNATURES")
    api_max_bytes: int = Field(default=1024 * 1024, ge=1024, alias="LEVQOR_API_MAX_BYTES")
    json_max_depth: int = Field(default=32, ge=4, le=128, alias="LEVQOR_JSON_MAX_DEPTH")
    step_timeout_seconds: float = Field(default=30.0, alias="LEVQOR_STEP_TIMEOUT")
    retry_base_seconds: float = Field(default=1.0, alias="LEVQOR_RETRY_BASE_SECONDS")
    retry_max_seconds: float = Field(default=60.0, alias="LEVQOR_RETRY_MAX_SECONDS")
    misfire_grace_seconds: int = Field(default=300, alias="LEVQOR_MISFIRE_GRACE_SECONDS")
    scheduled_concurrency: int = Field(default=4, ge=1, alias="LEVQOR_SCHEDULED_CONCURRENCY")
    # Instance administrators (web sign-in emails): they see the support queue (/admin/support).
    admin_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="LEVQOR_ADMIN_EMAILS"
    )
    # The operator's Slack channel for support tickets nearing or past their due time.
    support_channel: str | None = Field(default=None, alias="LEVQOR_SUPPORT_CHANNEL")
    support_check_seconds: float = Field(default=300.0, gt=0, alias="LEVQOR_SUPPORT_CHECK_SECONDS")
    # The hour (UTC) of the daily retention purge (docs/data-lifecycle.md).
    purge_hour: int = Field(default=3, ge=0, le=23, alias="LEVQOR_PURGE_HOUR")
    chart_retention_days: int = Field(default=90, ge=1, alias="LEVQOR_CHART_RETENTION_DAYS")
    wait_poll_seconds: float = Field(default=1.0, gt=0, alias="LEVQOR_WAIT_POLL_SECONDS")
    # SQLite only: this process's writers take turns on an asyncio lock instead of SQLite's busy
    # handler (storage/write_gate.py). Off by default: measured slower here (docs/performance.md).
    sqlite_write_gate: bool = Field(default=False, alias="LEVQOR_SQLITE_WRITE_GATE")
    # SQLite only: connections kept open in the pool (each is an aiosqlite thread), and as many
    # again opened for a burst. SQLAlchemy's default (5 + 10) was below what one process checks
    # out at once under 32 concurrent webhook deliveries (up to 28 measured): sessions waited for
    # a connection and overflow connections were opened and closed per request.
    sqlite_pool_size: int = Field(default=32, ge=1, alias="LEVQOR_SQLITE_POOL_SIZE")
    # Group commit (storage/group_commit.py): the engine's writes and new webhook runs of the
    # same moment share one transaction, written by one writer task.
    group_commit: bool = Field(default=True, alias="LEVQOR_GROUP_COMMIT")
    # Execution leases (docs/reliability.md): a run is executed by the process holding its lease,
    # renewed every third of this; another process takes the run over once it has expired.
    lease_seconds: float = Field(default=30.0, gt=0, alias="LEVQOR_LEASE_SECONDS")
    # The longest a run may be running (its waits not counted) before it is failed.
    run_max_seconds: float = Field(default=3600.0, gt=0, alias="LEVQOR_RUN_MAX_SECONDS")
    # Executions that may end without finishing a run (crashes) before it is failed as poison.
    run_max_recoveries: int = Field(default=3, ge=1, alias="LEVQOR_RUN_MAX_RECOVERIES")
    mail_port: int | None = Field(default=None, alias="LEVQOR_MAIL_PORT")
    mail_domain: str = Field(default="levqor.localhost", alias="LEVQOR_MAIL_DOMAIN")
    inbound_allow_unsigned: bool = Field(default=False, alias="LEVQOR_INBOUND_ALLOW_UNSIGNED")
    inbound_max_bytes: int = Field(default=10 * 1024 * 1024, alias="LEVQOR_INBOUND_MAX_BYTES")
    reply_limit_per_hour: int = Field(default=5, alias="LEVQOR_REPLY_LIMIT_PER_HOUR")

    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    rate_limits: bool = Field(default=True, alias="LEVQOR_RATE_LIMITS")
    hook_deliveries_per_minute: int = Field(
        default=120, ge=1, alias="LEVQOR_HOOK_DELIVERIES_PER_MINUTE"
    )
    load_tier: Literal["low", "medium", "high", "critical"] | None = Field(
        default=None, alias="LEVQOR_LOAD_TIER"
    )
    tier_lag_ms: str = Field(default="100,300,1000", alias="LEVQOR_TIER_LAG_MS")
    tier_queue: str = Field(default="50,200,1000", alias="LEVQOR_TIER_QUEUE")
    tier_cpu_percent: str = Field(default="70,85,95", alias="LEVQOR_TIER_CPU_PERCENT")
    tier_hold_seconds: float = Field(default=30.0, ge=0, alias="LEVQOR_TIER_HOLD_SECONDS")
    load_sample_seconds: float = Field(default=0.5, gt=0, alias="LEVQOR_LOAD_SAMPLE_SECONDS")

    @field_validator("tier_lag_ms", "tier_queue", "tier_cpu_percent")
    @classmethod
    def _three_rising(cls, value: str) -> str:
        """Three rising numbers: where medium, high and critical start."""
        marks = three_numbers(value)
        if not marks[0] < marks[1] < marks[2]:
            raise ValueError(f"{value!r}: give three rising numbers, like 100,300,1000")
        return value

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        """Accept `new,old` (commas or spaces) as well as a list."""
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @property
    def key_ring(self) -> list[str]:
        """The encryption keys, newest first (never empty)."""
        return list(self.encryption_keys) or [self.resolved_secret_key]

    @model_validator(mode="after")
    def _public_url_from_address(self) -> Settings:
        """Without LEVQOR_PUBLIC_URL, links point at LEVQOR_HOST:LEVQOR_PORT."""
        if "public_url" not in self.model_fields_set:
            self.__dict__["public_url"] = address_url(self.host, self.port)  # still "unset"
        return self

    @field_validator("admin_emails", mode="before")
    @classmethod
    def _split_admin_emails(cls, value: object) -> object:
        """`a@x.io,b@y.io` (or spaces) as a list of lower-case addresses."""
        if isinstance(value, str):
            return [part.lower() for part in value.replace(",", " ").split() if part]
        return value

    @field_validator("slack_owner_ids", mode="before")
    @classmethod
    def _split_owner_ids(cls, value: object) -> object:
        """Accept `U1,U2` (or spaces) as well as a list of Slack user IDs."""
        if isinstance(value, str) and value.strip().startswith("["):
            return json.loads(value)
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL: the embedded SQLite file unless `DATABASE_URL` is set."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'levqor.db').as_posix()}"
        return async_url(url)

    @cached_property
    def sync_database_url(self) -> str:
        """The same database through a synchronous driver (Alembic, APScheduler's job store)."""
        return sync_url(self.resolved_database_url)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.resolved_database_url.startswith("sqlite")

    @property
    def queue_enabled(self) -> bool:
        """Whether runs are executed by workers from the PostgreSQL queue (`workflows.queue`)."""
        return self.run_queue or self.role != "all"

    @property
    def libpq_url(self) -> str:
        """The database URL as libpq (psycopg, procrastinate) reads it."""
        return self.resolved_database_url.replace("postgresql+psycopg://", "postgresql://", 1)

    @model_validator(mode="after")
    def _queue_needs_postgres(self) -> Settings:
        if self.queue_enabled and self.is_sqlite:
            raise ValueError(
                "the run queue (LEVQOR_RUN_QUEUE, or a role other than all) needs PostgreSQL: "
                "set DATABASE_URL to a postgresql:// URL"
            )
        return self

    @cached_property
    def resolved_secret_key(self) -> str:
        """The credential-encryption key; generated once and kept in the data dir if unset."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def three_numbers(value: str) -> tuple[float, float, float]:
    """`"100,300,1000"` → (100.0, 300.0, 1000.0); anything else is a ValueError."""
    parts = [float(p) for p in value.replace(" ", "").split(",") if p]
    if len(parts) != 3:
        raise ValueError(f"{value!r}: give three numbers separated by commas")
    return parts[0], parts[1], parts[2]


def async_url(url: str) -> str:
    """Pick the async driver for a plain `sqlite://` or `postgresql://` URL."""
    if url.startswith("sqlite:///") or url == "sqlite://":
        return "sqlite+aiosqlite" + url[len("sqlite") :]
    for prefix in (
        "postgresql://",
        "postgres://",
        "postgresql+asyncpg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sync_url(url: str) -> str:
    """Turn an async URL into its synchronous twin."""
    if url.startswith("sqlite+aiosqlite"):
        return "sqlite" + url[len("sqlite+aiosqlite") :]
    return url  # psycopg 3 serves both sync and async engines


def address_url(host: str, port: int) -> str:
    """`http://host:port` for a listening address (every interface → this machine's loopback)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def listening_at(settings: Settings, host: str, port: int) -> Settings:
    """The settings of a server bound to `host:port` (links follow, unless LEVQOR_PUBLIC_URL)."""
    copied = settings.model_copy(update={"host": host, "port": port})
    if "public_url" not in settings.model_fields_set:
        copied.__dict__["public_url"] = address_url(host, port)  # still "unset": it follows
    return copied
