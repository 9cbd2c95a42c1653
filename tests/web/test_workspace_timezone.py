"""The workspace's timezone: the chat drafts schedules in it unless the request names a zone."""

from __future__ import annotations

import re

from storage.models import Workspace
from tests.web.conftest import Web
from tests.web.test_chat import REQUEST, card_of, open_chat, reply_text, workspace_of


async def set_zone(web: Web, zone: str) -> None:
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, await workspace_of(web))
        assert workspace is not None
        workspace.timezone = zone
        await session.commit()


async def test_a_schedule_is_drafted_in_the_workspace_timezone(web: Web) -> None:
    chat = await open_chat(web)
    await set_zone(web, "Europe/Paris")
    events = await chat.say(REQUEST)
    card = card_of(events)
    assert card["trigger"] == "every Monday at 09:00 (Europe/Paris)"
    assert "(UTC)" not in reply_text(events)

    approvals = await chat.client.get("/approvals")  # the page's times read in the zone too
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2} CET", approvals.text)
    assert " UTC</time>" not in approvals.text

    named = await chat.say("every Friday at 5pm New York time email me the sales report")
    assert "(America/New_York)" in card_of(named)["trigger"]
    await chat.client.aclose()
