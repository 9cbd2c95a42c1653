"""Domain errors the fronts map to friendly messages (HTTP status in `bot/api/errors.py`)."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a user can act on; the message is safe to show."""


class NotFound(DomainError):
    """The thing does not exist in this workspace."""


class Conflict(DomainError):
    """The request conflicts with the current state (already decided, wrong status...)."""


class NotReady(Conflict):
    """This version cannot be approved as it stands (a stand-in web address): it stays pending."""


class InvalidSpec(DomainError):
    """A workflow spec that cannot be stored; `errors` name the step and field."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class Forbidden(DomainError):
    """The member's role does not allow this."""


class NameNeeded(Forbidden):
    """A lone owner's own class C: type its name where the front asks for it (page, Slack, API)."""


class BadRequest(DomainError):
    """The payload cannot be understood."""


class Unauthorized(DomainError):
    """Missing or wrong credentials or signature."""


class TooLarge(DomainError):
    """The payload is over the size limit."""


class InvalidPayload(DomainError):
    """The payload is understood but refused (nested too deep, a key reused for other data)."""


class TooManyRequests(DomainError):
    """Over a rate limit; `retry_after` seconds until the next request may pass."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Gone(DomainError):
    """The workspace is deleted (restorable for a while): it takes no more work."""


class Unavailable(DomainError):
    """A service this request depends on is down; try again shortly."""


def plain_message(message: object) -> str:
    """A validation message as a person reads it: without pydantic's "Value error, " (or
    "Assertion failed, ") in front of the sentence a validator wrote."""
    return str(message).removeprefix("Value error, ").removeprefix("Assertion failed, ")
