"""The draft card's Try it over signed requests: the clicker sees what it would send; nothing is."""

from __future__ import annotations

from sqlmodel import select

from bot.slack import ids
from integrations.catalog import default_registry
from storage.models import CrmContact, OutboxMessage, Run
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import all_text, button_values
from tests.bot.slack.test_approval_flow import post_card

LEADS = (
    "when someone fills in our website contact form, add them to the CRM, "
    "post the lead in #sales and email them a thank-you"
)


async def test_try_it_shows_the_clicker_the_messages_and_sends_nothing(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    card = await post_card(live, LEADS)
    blocks = card.args["blocks"]
    sections = all_text([b for b in blocks if b["type"] in ("section", "header")])
    assert "It will post in #sales:" in sections
    assert "> New form submission from Jane Doe (Doe Bakery, jane@example.com)" in sections
    assert not [name for name in default_registry().names() if name in sections]
    approval_id = button_values(blocks)[ids.TRY]
    calls_before = len(live.slack.fake.calls())

    response = await live.slack.click(ids.TRY, approval_id, user="UVIEW")
    assert response.status_code == 200
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert told.args["user"] == "UVIEW" and told.args["channel"] == "C0SALES"
    assert "Nothing was sent" in told.args["text"]
    shown = all_text(told.args["blocks"])
    assert "on a sample form submission from Jane Doe" in shown
    assert "It would post in #sales:" in shown
    assert "> New form submission from Jane Doe (Doe Bakery, jane@example.com)" in shown
    assert "It would email the person who filled in the form (jane@example.com):" in shown
    assert "Every step would work. Nothing was sent: this was only a try." in shown

    await live.slack.settle(0.2)
    after = live.slack.fake.calls()[calls_before:]
    assert [call.method for call in after] == ["chat.postEphemeral"]  # no post to #sales
    async with live.runtime.sessions() as session:
        for table in (OutboxMessage, CrmContact, Run):
            assert (await session.exec(select(table))).all() == [], table.__name__


async def test_try_it_on_a_missing_draft_says_why(live_slack: SlackLive) -> None:
    await live_slack.slack.click(ids.TRY, "no-such-approval", user="UADMIN")
    [told] = await live_slack.slack.wait_for("chat.postEphemeral")
    assert "no longer exists" in told.args["text"] and told.args["user"] == "UADMIN"
