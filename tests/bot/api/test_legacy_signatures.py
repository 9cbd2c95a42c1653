"""The old untimestamped webhook signature is accepted only while the operator allows it."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from storage.config import Settings
from tests.bot.api.test_webhooks import lead_workflow, post_hook
from tests.bot.conftest import Live
from tests.conftest import make_settings


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, LEVQOR_WEBHOOK_LEGACY_SIGNATURES=True)


async def test_legacy_signatures_pass_only_when_allowed_and_correct(live: Live) -> None:
    wf = await lead_workflow(live, signature_header="X-Form-Signature")
    secret = wf["webhook_url"].rsplit("/", 1)[1]
    body = json.dumps({"email": "old@example.com"}).encode()
    legacy = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    accepted = await post_hook(live, wf["webhook_url"], body, **{"X-Form-Signature": legacy})
    assert accepted.status_code == 202
    forged = await post_hook(live, wf["webhook_url"], body, **{"X-Form-Signature": "sha256=00"})
    assert forged.status_code == 401
