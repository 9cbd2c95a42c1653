"""The error responses each route documents in OpenAPI, all with the one JSON error shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    """What went wrong, in a sentence, with a stable code and optional details."""

    code: str = Field(description="a stable machine-readable code, e.g. `rate_limited`")
    message: str = Field(description="a sentence for people")
    details: Any = None


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "The request cannot be understood (e.g. a body that is not JSON)",
    401: "No, a wrong or a revoked API key; or a missing or wrong signature",
    402: "Over the plan's limit, or the workspace is read-only: `details.reason` says which "
    "(e.g. `runs_limit`), `details.upgrade_url` where to choose a plan",
    403: "Your role does not allow this",
    404: "Not found in your workspace",
    409: "Conflicts with the current state (already decided, paused, ...)",
    410: "The workspace is deleted (restorable for 30 days): it takes no more work",
    413: "The body is over this address's size limit (refused while it arrives)",
    422: "Invalid input: fields, a workflow spec, JSON nested too deep, a reused key",
    429: "Over a rate limit; wait `Retry-After` seconds",
    503: "A service this needs is briefly unavailable; try again in a minute",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds until a request may pass",
        "schema": {"type": "integer"},
    }
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting these error statuses."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"model": ErrorOut, "description": DESCRIPTIONS[code]}
        if code == 429:
            entry["headers"] = RETRY_AFTER
        documented[code] = entry
    return documented


AUTHENTICATED = errors(400, 401, 402, 403, 404, 409, 413, 422, 429)
"""What a route behind an API key may answer besides its success."""
