"""In the chat, approving a draft that still calls a stand-in address is refused in plain words
and the card stays as it was, waiting: before, the reply said it could not be approved while the
card said "You approved this." (the front marks a card decided unless it is sent again)."""

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
    assert "Press Edit on the card" in text  # the chat does not take the address itself
    again = card_of(answer)  # sent again, so the front shows it waiting, not decided
    assert again["approval_id"] == card["approval_id"]
    assert 'data-action="approve"' in again["html"]
    workflow = await workflow_row(web, card["workflow_id"])
    assert workflow.status == WorkflowStatus.pending_approval
    await chat.client.aclose()
