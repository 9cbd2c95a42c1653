"""One place mapping errors to JSON responses: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts.client_rights import ClientOwnersOnly
from accounts.limits import OverLimit
from workflows import errors

log = logging.getLogger(__name__)

_STATUS: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.NotFound: (404, "not_found"),
    errors.Conflict: (409, "conflict"),
    errors.InvalidSpec: (422, "invalid_spec"),
    errors.Forbidden: (403, "forbidden"),
    errors.BadRequest: (400, "bad_request"),
    errors.Unauthorized: (401, "unauthorized"),
    errors.TooLarge: (413, "payload_too_large"),
    errors.InvalidPayload: (422, "invalid_payload"),
    errors.TooManyRequests: (429, "rate_limited"),
    errors.Unavailable: (503, "unavailable"),
    errors.Gone: (410, "gone"),
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON error shape every endpoint uses."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


HtmlErrorPage = Callable[[Request, int, str], Response | None]
"""Renders an error as a web page for a browser's page request, or None to answer in JSON."""


def install(app: FastAPI, html: HtmlErrorPage | None = None) -> None:
    """Register the handlers on the app; `html` answers page requests from browsers."""

    @app.exception_handler(errors.DomainError)
    async def domain(request: Request, exc: errors.DomainError) -> Response:
        status, code = next(
            (v for k, v in _STATUS.items() if isinstance(exc, k)), (400, "bad_request")
        )
        headers = {}
        if isinstance(exc, errors.TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after)
        page = html(request, status, str(exc)) if html else None
        if page is not None:
            page.headers.update(headers)
            return page
        details = exc.errors if isinstance(exc, errors.InvalidSpec) else None
        return JSONResponse(
            error_body(code, str(exc), details), status_code=status, headers=headers
        )

    @app.exception_handler(OverLimit)
    async def over_limit(request: Request, exc: OverLimit) -> Response:
        refusal = exc.refusal
        page = html(request, 402, refusal.message) if html else None
        if page is not None:
            return page
        details = {"reason": refusal.reason, "upgrade_url": refusal.upgrade_url}
        return JSONResponse(error_body(refusal.reason, refusal.message, details), status_code=402)

    @app.exception_handler(ClientOwnersOnly)
    async def client_owners_only(request: Request, exc: ClientOwnersOnly) -> Response:
        page = html(request, 403, str(exc)) if html else None
        if page is not None:
            return page
        body = error_body(exc.reason, str(exc), {"reason": exc.reason})
        return JSONResponse(body, status_code=403)

    @app.exception_handler(RequestValidationError)
    async def validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "location": ".".join(str(p) for p in e["loc"]),
                "message": errors.plain_message(e["msg"]),
            }
            for e in exc.errors()
        ]
        summary = "; ".join(f"{d['location']}: {d['message']}" for d in details)
        return JSONResponse(error_body("invalid_request", summary, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        page = html(request, exc.status_code, str(exc.detail)) if html else None
        if page is not None:
            return page
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(
            error_body("internal_error", "something went wrong on our side; it has been logged"),
            status_code=500,
        )
