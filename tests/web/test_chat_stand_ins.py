"""In the chat, approving a draft that still calls a stand-in address is refused in plain words
and the card stays as it was, waiting: before, the reply said it could not be approved while the
card said "You approved this." (the front marks a card decided unless it is sent again). Saying
the address in the chat fills it in: a new card, which approves."""

from __future__ import annotations

from storage.models import WorkflowStatus
from tests.web.conftest import Web
from tests.web.test_chat import card_of, open_chat, reply_text, workflow_row

REQUEST = "every weekday at 8 post the open pull requests needing review in #dev"


async def test_a_stand_in_address_keeps_the_card_waiting_with_a_plain_reason(web: Web) -> None:
    chat = await open_chat(web)
    card = card_of(await chat.say(REQUEST))
    assert "still to be filled in" in card["html"]
    answer = await chat.decide(card, "approve")
    text = reply_text(answer)
    assert "This can't be approved yet" in text and "(api.example.com) still points at" in text
    assert text.endswith("It is still pending.") and "; nothing changed" not in text
    assert "Press Edit on the card" in text and "or tell me here" in text
    again = card_of(answer)  # sent again, so the front shows it waiting, not decided
    assert again["approval_id"] == card["approval_id"]
    assert 'data-action="approve"' in again["html"]
    workflow = await workflow_row(web, card["workflow_id"])
    assert workflow.status == WorkflowStatus.pending_approval
    await chat.client.aclose()


async def test_saying_the_address_in_the_chat_fills_in_the_stand_in(web: Web) -> None:
    chat = await open_chat(web)
    card = card_of(await chat.say("post the number of open tickets from our helpdesk to #support"
                                  " every morning at 9"))  # fmt: skip
    assert "Helpdesk (its web address is still to be filled in)" in card["html"]
    refused = reply_text(await chat.decide(card, "approve"))  # an unnamed step, said in words
    assert "This can't be approved yet: the Helpdesk step (api.helpdesk.example)" in refused
    answer = await chat.say("the helpdesk address is https://helpdesk.acme.io/api/tickets?open=1")
    text = reply_text(answer)
    assert "the Helpdesk step now calls https://helpdesk.acme.io/api/tickets?open=1" in text
    filled = card_of(answer)
    assert filled["workflow_id"] == card["workflow_id"]  # the same draft, a new version
    assert "still to be filled in" not in filled["html"]
    assert "helpdesk.acme.io" in filled["html"]
    decided = reply_text(await chat.decide(filled, "approve"))
    assert "can't be approved" not in decided
    workflow = await workflow_row(web, card["workflow_id"])
    assert workflow.status == WorkflowStatus.active
    await chat.client.aclose()


async def test_an_address_for_one_of_several_stand_ins_asks_which(web: Web) -> None:
    chat = await open_chat(web)
    card = card_of(
        await chat.say("when a deal is won in hubspot add a row to our airtable base and create "
                       "a trello card")
    )  # fmt: skip
    answer = await chat.say("the address is https://api.acme.io/rows")
    text = reply_text(answer)
    assert text.startswith("Which step is that address for: Airtable or Trello?")
    assert not [data for name, data in answer if name == "card"]  # nothing changed
    workflow = await workflow_row(web, card["workflow_id"])
    assert workflow.status == WorkflowStatus.pending_approval
    await chat.client.aclose()


async def test_an_act_in_a_tool_without_integration_is_a_step_named_in_the_requests_words(
    web: Web,
) -> None:
    """'What should it do?' was asked of a request that said what to do; now the card shows
    the act as a step in the request's words, waiting for the tool's address."""
    chat = await open_chat(web)
    card = card_of(
        await chat.say("when a class is cancelled in mindbody, add a free make-up session to "
                       "the member's pass in our booking portal")
    )  # fmt: skip
    html = card["html"]
    assert "Add a free make-up session to the member&#39;s pass in our booking portal" in html or (
        "Add a free make-up session to the member's pass in our booking portal" in html
    )
    assert "still to be filled in" in html
    refused = reply_text(await chat.decide(card, "approve"))
    assert "This can't be approved yet" in refused and "api.booking-portal.example" in refused
    answer = await chat.say("the address is https://portal.acme.io/api/passes")
    filled = card_of(answer)
    assert "still to be filled in" not in filled["html"]
    decided = reply_text(await chat.decide(filled, "approve", confirm=True))  # class B: checked
    assert "can't be approved" not in decided
    workflow = await workflow_row(web, card["workflow_id"])
    assert workflow.status == WorkflowStatus.active
    await chat.client.aclose()


async def test_an_address_that_is_not_one_is_said_so_and_nothing_changes(web: Web) -> None:
    """'the address is not-a-url' was read as a new, vague request (a question with template
    choices); now the reply says it is no web address and how to say one, and the card waits."""
    chat = await open_chat(web)
    card = card_of(await chat.say(REQUEST))
    answer = await chat.say("the address is not-a-url")
    text = reply_text(answer)
    assert text.startswith("“not-a-url” isn't a web address.")
    assert "https://" in text and "still to be filled in" not in text
    assert not [data for name, data in answer if name == "card"]  # nothing changed
    workflow = await workflow_row(web, card["workflow_id"])
    assert workflow.status == WorkflowStatus.pending_approval
    await chat.client.aclose()


async def test_an_address_without_https_is_taken_as_one(web: Web) -> None:
    chat = await open_chat(web)
    card = card_of(await chat.say(REQUEST))
    assert "(from api.example.com)" in card["html"]  # the post says where it reads from
    answer = await chat.say("the url is git.acme.io/api/v4/merge_requests")
    text = reply_text(answer)
    assert "now calls https://git.acme.io/api/v4/merge_requests" in text
    filled = card_of(answer)
    assert filled["workflow_id"] == card["workflow_id"]
    assert "still to be filled in" not in filled["html"]
    assert "(from git.acme.io)" in filled["html"] and "api.example.com" not in filled["html"]
    await chat.client.aclose()
