"""REST shapes of connections: what is shown (never a secret) and what a test answered."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from integrations.connections import ConnectionView


class ConnectionOut(BaseModel):
    """One integration's connection for this workspace, in words; secrets appear only by name."""

    integration: str
    name: str
    status: str
    status_text: str
    summary: str
    details: dict[str, str] = {}
    secrets: list[str] = []
    tested_at: datetime | None = None
    last_result: str | None = None

    @classmethod
    def of(cls, view: ConnectionView) -> ConnectionOut:
        """From the service's view."""
        return cls(
            integration=view.integration,
            name=view.label,
            status=view.status,
            status_text=view.status_text,
            summary=view.summary,
            details=view.details,
            secrets=view.secrets,
            tested_at=view.tested_at,
            last_result=view.last_result,
        )


class TestOut(BaseModel):
    """What "Send a test" found, and how the connection stands after it."""

    ok: bool
    message: str
    connection: ConnectionOut


class SignInWithGoogle(BaseModel):
    """Google Sheets connects in a browser: open this address, signed in to Levqor."""

    authorize_url: str
    message: str
