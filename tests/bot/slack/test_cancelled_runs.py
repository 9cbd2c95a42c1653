"""`/levqor runs` shows a cancelled run as "Cancelled — <why>", marked apart from failures."""

from __future__ import annotations

import json

from integrations.catalog import default_registry
from storage.cancelled_runs import AGENCY_ENDED, cancel_pending
from tests.bot.api.test_billing_limits import HELLO
from tests.bot.slack.conftest import SlackLive
from tests.workflows.helpers import activate, new_run


async def test_runs_list_says_why_a_run_was_cancelled(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    sessions = live.runtime.sessions
    workflow = await activate(sessions, live.workspace, HELLO, default_registry())
    queued = (await new_run(sessions, workflow)).run
    async with sessions() as session:  # as unlinking the agency that asked for it does
        assert await cancel_pending(session, live.workspace.id, AGENCY_ENDED) == 1
        await session.commit()
    _, key = await live.slack.command("runs")
    text = json.dumps(await live.slack.wait_response(key), ensure_ascii=False)
    assert f":no_entry_sign: *Hello* `{queued.id[:8]}` Cancelled — {AGENCY_ENDED}" in text
    assert ":x:" not in text
