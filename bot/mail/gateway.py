"""An aiosmtpd server accepting mail for `<local>@<workspace-slug>.<LEVQOR_MAIL_DOMAIN>` only."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from accounts.workspaces import get_by_slug
from storage.scope import Tenant
from workflows.runtime import Runtime
from workflows.triggers import email

log = logging.getLogger(__name__)


class InboundMailHandler:
    """aiosmtpd hooks: refuse unknown recipients at RCPT, hand accepted mail to the trigger."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        """550 unless the address belongs to an existing workspace."""
        domain = self.runtime.settings.mail_domain
        found = email.workspace_address(address, domain)
        if found is None:
            return f"550 5.1.1 <{address}>: not a Levqor address (use <name>@<workspace>.{domain})"
        async with self.runtime.sessions() as db:
            if await get_by_slug(db, found[1]) is None:
                return f"550 5.1.1 <{address}>: no such workspace"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Start the matching workflows of each recipient's workspace; guarded mail starts none."""
        raw = envelope.original_content or b""
        by_workspace: dict[str, list[str]] = defaultdict(list)
        for rcpt in envelope.rcpt_tos:
            found = email.workspace_address(rcpt, self.runtime.settings.mail_domain)
            if found:
                by_workspace[found[1]].append(rcpt)
        try:
            for slug, recipients in by_workspace.items():
                await self._deliver(slug, raw, recipients, envelope.mail_from)
        except Exception:
            log.exception("could not take in mail from %s", envelope.mail_from)
            return "451 4.3.0 temporary failure, please try again later"
        return "250 2.0.0 OK: message accepted"

    async def _deliver(
        self, slug: str, raw: bytes, recipients: list[str], mail_from: str | None
    ) -> None:
        mail = email.parse_mime(raw, recipients, mail_from)
        async with self.runtime.sessions() as db:
            workspace = await get_by_slug(db, slug)
            if workspace is None:
                return
            dispatched = await email.receive(Tenant(db, workspace.id), self.runtime.settings, mail)
        for run_id in dispatched.new_run_ids:
            self.runtime.submit(run_id)
        log.info(
            "mail %s for %s: started %s%s",
            mail.payload["message_id"] or "(no Message-ID)",
            slug,
            dispatched.new_run_ids or "nothing",
            f" ({dispatched.reason()})" if dispatched.reason() else "",
        )


class MailGateway:
    """The SMTP server on `host:port` (port 0 picks a free one), in the running event loop."""

    def __init__(self, runtime: Runtime, host: str = "127.0.0.1", port: int = 2525) -> None:
        self.runtime = runtime
        self.host = host
        self.port = port
        self.handler = InboundMailHandler(runtime)
        self._server: asyncio.Server | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            data_size_limit=self.runtime.settings.inbound_max_bytes,
            enable_SMTPUTF8=True,
            hostname=self.runtime.settings.mail_domain,
            ident="Levqor mail gateway",
            loop=asyncio.get_running_loop(),
        )

    async def start(self) -> MailGateway:
        """Listen; returns once the socket is bound (`port` is then the real port)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port)
        sockname: Any = self._server.sockets[0].getsockname()
        self.port = int(sockname[1])
        return self

    async def close(self) -> None:
        """Stop accepting connections."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
