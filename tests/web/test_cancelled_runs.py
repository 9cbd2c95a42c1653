"""A cancelled run (its workspace deleted before it ran) reads "Cancelled — the workspace was
deleted" on the runs page, the run page and the API, and counts as neither success nor failure:
health, analytics and the bell leave it out. It stays cancelled when the workspace is restored."""

from __future__ import annotations

import re

import httpx

from accounts import deletion
from storage.cancelled_runs import WORKSPACE_DELETED
from storage.models import RunStatus, Workspace
from tests.web.conftest import Web, sign_up_client
from tests.web.test_health_page import api_key
from tests.web.test_runs_page import NOTE_SPEC, active_workflow, owner_of, run_of

WORDS = "Cancelled — the workspace was deleted"


async def delete_and_restore(web: Web, workspace_id: str, member_id: str) -> None:
    """The owner deletes the workspace (typed name, confirmed link), then restores it."""
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        owner = await owner_of(web, "olivia@acme.example")
        assert owner.id == member_id
        asked = await deletion.request_deletion(
            session, web.settings, workspace, owner, workspace.name
        )
        await session.commit()
        token = asked.link.rsplit("/", 1)[1]
        await deletion.confirm_deletion(session, web.settings, token)
        await session.commit()
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        await deletion.restore(session, workspace, owner)
        await session.commit()


async def test_a_cancelled_run_says_why_in_words_and_is_not_a_failure(web: Web) -> None:
    client = await sign_up_client(web)
    owner = await owner_of(web, "olivia@acme.example")
    note = await active_workflow(web, owner, NOTE_SPEC)
    done = await run_of(web, note, {})
    queued = await run_of(web, note, {"n": 2}, execute=False)
    assert done.status == RunStatus.succeeded and queued.status == RunStatus.queued
    await delete_and_restore(web, owner.workspace_id, owner.id)

    ran = await web.runtime.engine.execute(queued.id)  # restoring does not resurrect it
    assert ran.status == RunStatus.cancelled and ran.error == WORKSPACE_DELETED

    key = await api_key(web, owner.workspace_id)
    rest = httpx.AsyncClient(base_url=web.url, headers={"Authorization": f"Bearer {key}"})
    api = (await rest.get(f"/api/runs/{queued.id}")).json()
    assert api["status"] == "cancelled" and api["cancel_reason"] == WORKSPACE_DELETED
    assert api["outcome"] == WORDS and api["error"] is None and api["steps"] == []
    listed = {r["id"]: r for r in (await rest.get("/api/runs")).json()}
    assert listed[queued.id]["outcome"] == WORDS
    assert listed[done.id]["outcome"] == "Succeeded" and listed[done.id]["cancel_reason"] is None

    page = (await client.get("/runs")).text
    assert f'<span class="badge cancelled">{WORDS}</span>' in page
    assert re.search(r'badge cancelled">cancelled</span> <span class="n">1<', page)
    only = (await client.get("/runs?status=cancelled")).text
    assert re.findall(r'href="/runs/([0-9a-f]{32})"', only) == [queued.id]
    detail = (await client.get(f"/runs/{queued.id}")).text
    assert WORDS in detail and "Error:" not in detail and ">Retry<" not in detail

    figures = (await client.get("/health/figures")).json()
    assert (figures["failed_24h"], figures["succeeded_24h"], figures["cancelled_24h"]) == (0, 1, 1)
    assert figures["success_rate_24h"] == 100.0
    health = (await rest.get("/api/health")).json()
    counted = (health["failed_24h"], health["cancelled_24h"], health["success_rate_24h"])
    assert counted == (0, 1, 100)
    bell = (await rest.get("/api/notifications")).json()
    assert [n for n in bell if n["kind"] == "failure"] == []
    await rest.aclose()
    await client.aclose()
