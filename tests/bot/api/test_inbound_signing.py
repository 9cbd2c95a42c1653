"""Inbound email deliveries are signed with the workspace's own, regenerable inbound secret."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import httpx

from storage.models import Role
from tests.bot.api.test_inbound import QUESTION
from tests.bot.conftest import Live
from tests.workflows.helpers import activate
from tests.workflows.test_email_trigger import TRIAGE
from workflows.triggers.inbound_signature import mailgun_fields
from workflows.triggers.webhook import sign


async def test_unsigned_stale_and_forged_deliveries_are_refused(live: Live) -> None:
    await activate(live.runtime.sessions, live.workspace, TRIAGE, live.runtime.registry)
    address = (await live.as_(Role.admin).get("/api/inbound/email")).json()
    path, secret = urlsplit(address["webhook_url"]).path, address["secret"]
    async with httpx.AsyncClient(base_url=live.url) as client:
        unsigned = await client.post(path, json=QUESTION)
        assert unsigned.status_code == 401 and "unsigned" in unsigned.text
        stale = mailgun_fields(secret, at=int(time.time()) - 600)
        assert (await client.post(path, json={**QUESTION, **stale})).status_code == 401
        forged = mailgun_fields("not-the-secret")
        assert (await client.post(path, json={**QUESTION, **forged})).status_code == 401
        nested = {**QUESTION, "signature": mailgun_fields(secret)}  # Mailgun's JSON shape
        assert (await client.post(path, json=nested)).status_code == 202
        body = json.dumps(dict(QUESTION, subject="Second")).encode()
        header = {"X-Levqor-Signature": sign(secret, body), "content-type": "application/json"}
        assert (await client.post(path, content=body, headers=header)).status_code == 202


async def test_the_secret_is_regenerated_and_the_old_url_stops_working(live: Live) -> None:
    old = (await live.as_(Role.admin).get("/api/inbound/email")).json()
    assert (await live.as_(Role.operator).post("/api/inbound/email/secret")).status_code == 403
    new = (await live.as_(Role.owner).post("/api/inbound/email/secret")).json()
    assert new["secret"] != old["secret"] and new["webhook_url"] != old["webhook_url"]
    async with httpx.AsyncClient(base_url=live.url) as client:
        fields = {**QUESTION, **mailgun_fields(old["secret"])}
        gone = await client.post(urlsplit(old["webhook_url"]).path, json=fields)
        assert gone.status_code == 404
        fresh = {**QUESTION, **mailgun_fields(new["secret"])}
        assert (await client.post(urlsplit(new["webhook_url"]).path, json=fresh)).status_code == 202
