"""Security headers on every response: a strict CSP (no inline script), no framing, nosniff.

Pages load scripts and styles only from this origin (`/static`); the API docs page also loads
Swagger UI from its CDN, started by a script file of ours, never by inline script.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWAGGER_CDN = "https://cdn.jsdelivr.net"
_BASE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
_DOCS = _BASE | {"script-src": f"'self' {SWAGGER_CDN}", "style-src": f"'self' {SWAGGER_CDN}"}


def policy(directives: dict[str, str]) -> str:
    """A Content-Security-Policy header value."""
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CSP = policy(_BASE)
DOCS_CSP = policy(_DOCS | {"img-src": f"'self' data: {SWAGGER_CDN}"})


class SecurityHeadersMiddleware:
    """Adds the CSP, X-Frame-Options, X-Content-Type-Options and Referrer-Policy headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path") == "/docs" else CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (b"content-security-policy", csp.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message["headers"] = [
                    *message.get("headers", []),
                    *(pair for pair in extra if pair[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
