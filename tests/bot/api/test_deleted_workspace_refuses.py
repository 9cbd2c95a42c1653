"""A deleted workspace (pending its purge) takes no more work: its webhooks, hosted forms,
inbound mail and Stripe events are refused with 410 and one plain sentence, nothing runs, and
each refusal is kept in its audit log (once an hour per front)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from storage.config import Settings
from storage.models import AuditLog, Run, Workspace
from storage.types import utcnow
from tests.bot.api.test_inbound import FIXTURES, QUESTION, email_path, post_event, signed_mail
from tests.bot.api.test_webhooks import lead_workflow
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.workflows.helpers import activate
from tests.workflows.test_email_trigger import TRIAGE
from tests.workflows.test_stripe_trigger import SECRET, notify, signed

SENTENCE = "This workspace is being deleted, so it takes no more work and nothing was run."


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, STRIPE_WEBHOOK_SECRET=SECRET)


async def test_every_front_refuses_a_deleted_workspace_and_records_it(live: Live) -> None:
    registry, sessions = live.runtime.registry, live.runtime.sessions
    lead = await lead_workflow(live)
    await activate(sessions, live.workspace, TRIAGE, registry)
    await activate(sessions, live.workspace, notify(["invoice.*"]), registry)
    async with sessions() as session:
        workspace = await session.get(Workspace, live.workspace.id)
        assert workspace is not None
        workspace.deleted_at = utcnow()
        await session.commit()

    hook_path = "/" + lead["webhook_url"].split("://", 1)[1].split("/", 1)[1]
    lead_body = json.dumps({"email": "dana@example.com", "name": "Dana"}).encode()
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as outside:
        for _ in range(2):  # a sender retrying: refused each time, recorded once
            hooked = await outside.post(
                hook_path, content=lead_body, headers={"content-type": "application/json"}
            )
            assert hooked.status_code == 410
            assert hooked.json()["error"]["code"] == "gone"
            assert SENTENCE in hooked.json()["error"]["message"]
            assert "restore it from the Workspace page" in hooked.json()["error"]["message"]
        wrong_secret = await outside.post(hook_path[:-4] + "0000", content=lead_body)
        assert wrong_secret.status_code == 404  # no secret, no word about the workspace

        form = await outside.get(f"/f/{lead['id']}")
        assert form.status_code == 410 and "This form is closed" in form.text
        posted = await outside.post(f"/f/{lead['id']}", data={"email": "dana@example.com"})
        assert posted.status_code == 410 and "being deleted" in posted.text

        mailed = await outside.post(email_path(live), json=signed_mail(live, QUESTION))
        assert mailed.status_code == 410 and SENTENCE in mailed.text

    body = (FIXTURES / "stripe" / "invoice_paid.json").read_bytes()
    event = await post_event(live, body, signed(body))
    assert event.status_code == 410 and SENTENCE in event.text
    forged = await post_event(live, body, "t=1,v1=forged")
    assert forged.status_code == 400  # the signature is still checked first

    async with sessions() as session:
        assert (await session.exec(select(Run))).all() == []
        query = select(AuditLog).where(AuditLog.action == "workspace.refused")
        refused = sorted(row.subject or "" for row in (await session.exec(query)).all())
    assert refused == ["Stripe event", "form", "inbound email", "webhook"]
