"""A real SMTP server (aiosmtpd) on a free loopback port that keeps the messages it receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.fakes.http_server import free_port


class Inbox:
    """An aiosmtpd handler: `envelopes` as received, `messages` parsed (modern email policy)."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.envelopes.append(envelope)
        self.messages.append(parsed)
        return "250 Message accepted"


@contextmanager
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    """(inbox, port) of an SMTP server running for the duration of the block."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
