"""Inbound email → auto-reply: N messages through the SMTP gateway, replies caught by an SMTP sink.

Latency is measured from the gateway accepting DATA (the sender's `250`) to the threaded reply
arriving at the sink, with the email-auto-responder template on the offline AI path.

python bench/inbound_autoreply.py [--emails 50] [--concurrency 1] [--postgres URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import sys
import time
from email import message_from_bytes, policy

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from accounts.workspaces import add_member, create_workspace
from bench.common import percentile, temp_settings
from bot.mail.gateway import MailGateway
from storage.models import Role
from tests.workflows.helpers import activate
from workflows.catalog import TemplateCatalog
from workflows.runtime import Runtime

QUESTION = """From: Customer {n} <customer{n}@example.com>
To: support@acme.levqor.localhost
Subject: Where is my order #{n}?
Message-ID: <question-{n}@mail.example.com>
Content-Type: text/plain; charset="utf-8"

Hi, my order #{n} has not arrived yet. Can you tell me where it is?
"""


class ReplySink:
    """aiosmtpd handler: notes when the reply to each inbound Message-ID arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.events: dict[str, asyncio.Event] = {}

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Record the arrival time under the reply's In-Reply-To."""
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        parent = str(message["In-Reply-To"] or "")
        self.arrived[parent] = time.perf_counter()
        self.events.setdefault(parent, asyncio.Event()).set()
        return "250 OK"

    async def wait(self, parent: str, within: float = 30) -> float:
        """When the reply to `parent` arrived."""
        async with asyncio.timeout(within):
            await self.events.setdefault(parent, asyncio.Event()).wait()
        return self.arrived[parent]


async def main(emails: int, concurrency: int, database_url: str | None) -> int:
    loop = asyncio.get_running_loop()
    sink = ReplySink()
    sink_server = await loop.create_server(lambda: SMTP(sink, loop=loop), "127.0.0.1", 0)
    sink_port = sink_server.sockets[0].getsockname()[1]
    settings = temp_settings(
        database_url,
        SMTP_URL=f"smtp://127.0.0.1:{sink_port}",
        LEVQOR_REPLY_LIMIT_PER_HOUR=0,
    )
    runtime = await Runtime(settings).start(scheduler=False, recover=False)
    async with runtime.sessions() as session:
        workspace = await create_workspace(session, "acme", "Acme")
        await add_member(session, workspace, "Owner", Role.owner, email="owner@example.com")
        await session.commit()
    spec = TemplateCatalog.load().instantiate("email-auto-responder", {})
    await activate(runtime.sessions, workspace, spec.model_dump(mode="json"), runtime.registry)
    gateway = await MailGateway(runtime, "127.0.0.1", 0).start()
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(emails):
        queue.put_nowait(n)

    async def sender() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=gateway.port) as smtp:
            while not queue.empty():
                n = queue.get_nowait()
                raw = QUESTION.format(n=n).replace("\n", "\r\n").encode()
                await smtp.sendmail(
                    f"customer{n}@example.com", ["support@acme.levqor.localhost"], raw
                )
                accepted = time.perf_counter()
                replied = await sink.wait(f"<question-{n}@mail.example.com>")
                latencies.append((replied - accepted) * 1000)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await gateway.close()
        await runtime.drain()
        await runtime.close()
        sink_server.close()
    backend = "PostgreSQL" if database_url else "SQLite"
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"inbound email -> auto-reply on {backend}, offline AI path: {emails} emails, "
        f"concurrency {concurrency}, {elapsed:.2f}s; latency from DATA accepted to reply "
        f"received: p50 {p50:.0f} ms  p95 {p95:.0f} ms  max {max(latencies):.0f} ms "
        f"(target p50 <= 500 ms)"
    )
    print(f"INBOUND_AUTOREPLY_P50_MS={p50:.0f}")
    print(f"INBOUND_AUTOREPLY_P95_MS={p95:.0f}")
    return 0 if len(latencies) == emails else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.emails, args.concurrency, args.postgres)))
