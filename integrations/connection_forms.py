"""What a person sends to connect each integration (secrets included; they are sealed on save)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

EMAIL_PATTERN = r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$"


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StripeForm(_Form):
    """A restricted (or secret) key, and the signing secret of the workspace's own endpoint."""

    api_key: str | None = Field(default=None, pattern=r"^(rk|sk)_(test|live)_[A-Za-z0-9_]{6,}$")
    webhook_secret: str | None = Field(default=None, pattern=r"^whsec_[A-Za-z0-9_+/=]{6,}$")


class HubSpotForm(_Form):
    """A HubSpot private-app access token."""

    token: str = Field(min_length=10, max_length=500, pattern=r"^\S+$")


class EmailForm(_Form):
    """The instance's mail server, or the workspace's own SMTP server and sender."""

    mode: Literal["instance", "smtp"] = "smtp"
    host: str | None = Field(default=None, max_length=253, pattern=r"^[A-Za-z0-9.-]+$")
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=500)
    sender: str | None = Field(default=None, max_length=320, pattern=EMAIL_PATTERN)


class HttpSecretForm(_Form):
    """One named secret for `http.request` steps: sent as a header (a bearer token by default)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    header: str = Field(default="Authorization", pattern=r"^[A-Za-z0-9-]{1,64}$")
    scheme: Literal["bearer", "plain"] = "bearer"
    value: str = Field(min_length=1, max_length=4000)


class HttpForm(_Form):
    """Secrets to add or replace, and names to remove."""

    secrets: list[HttpSecretForm] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


_WORDS = {
    "api_key": "the Stripe key",
    "webhook_secret": "the webhook signing secret",
    "token": "the token",
    "host": "the server name",
    "port": "the port",
    "sender": "the sender address",
    "name": "the secret's name",
    "header": "the header name",
    "value": "the secret's value",
}
_HINTS = {
    "api_key": "it starts with rk_live_, rk_test_, sk_live_ or sk_test_",
    "webhook_secret": "it starts with whsec_",
    "name": "use lower-case letters, digits and _ (like crm_api)",
    "sender": "give an email address like ops@example.com",
    "host": "give a server name like smtp.example.com",
}


def plain_error(exc: ValidationError) -> str:
    """A pydantic error as one sentence a person can act on (no field paths or codes)."""
    first = exc.errors()[0]
    where = [str(p) for p in first.get("loc", ()) if isinstance(p, str)]
    field = where[-1] if where else ""
    if first.get("type") == "extra_forbidden":
        return f"{field!r} is not something this connection takes."
    what = _WORDS.get(field, field.replace("_", " ") or "the form")
    hint = _HINTS.get(field)
    if first.get("type") == "missing":
        return f"Please fill in {what}."
    return f"Please check {what}" + (f": {hint}." if hint else ".")
