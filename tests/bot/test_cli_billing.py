"""`levqor billing setup` (twice: nothing new the second time) and `levqor billing status`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from accounts import subscriptions
from accounts.workspaces import create_workspace
from storage.config import Settings
from storage.db import create_engine, session_factory
from tests.bot.test_cli import env, levqor  # noqa: F401
from tests.fakes.http_server import serve_app
from tests.fakes.localstripe_server import LocalStripe
from tests.fakes.stripe_shim import StripeShim


def test_billing_setup_twice_creates_nothing_new(
    env: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    localstripe: LocalStripe,
) -> None:
    code, out = levqor("billing", "setup")
    assert code == 1 and "set STRIPE_BILLING_SECRET_KEY" in out
    localstripe.flush()
    localstripe.mute_webhooks()
    shim = StripeShim(localstripe.url, "sk_test_cli", "whsec_cli")
    with serve_app(shim.app()) as server:
        shim.url = server.url
        monkeypatch.setenv("STRIPE_BILLING_SECRET_KEY", "sk_test_cli")
        monkeypatch.setenv("STRIPE_API_BASE", server.url)
        code, first = levqor("billing", "setup")
        made = localstripe.ids("products") | localstripe.ids("plans")
        code2, second = levqor("billing", "setup")
    assert code == 0 and "12 created, 0 already there" in first and "levqor_scale_annual" in first
    assert code2 == 0 and "0 created, 12 already there" in second
    assert localstripe.ids("products") | localstripe.ids("plans") == made and len(made) == 12
    assert "levqor_agency" in localstripe.ids("products")


async def _on_trial(slug: str) -> None:
    engine = create_engine(Settings())
    try:
        async with session_factory(engine)() as session:
            workspace = await create_workspace(session, slug, "Acme")
            subscriptions.start_trial(session, workspace).plan = "launch"
            await session.commit()
    finally:
        await engine.dispose()


def test_billing_status_in_words(env: Path) -> None:  # noqa: F811
    assert levqor("db", "upgrade")[0] == 0
    code, out = levqor("billing", "status", "--workspace", "default")
    assert code == 0 and "no Levqor plan to pay for" in out
    asyncio.run(_on_trial("acme"))
    code, out = levqor("billing", "status", "--workspace", "acme")
    assert code == 0 and "You are on Launch (free trial), 7 days left" in out
    assert "runs this period: 0 of 500" in out
