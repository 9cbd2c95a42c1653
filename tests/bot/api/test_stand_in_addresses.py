"""A version still calling a stand-in web address (RFC 2606 `example.com`, `.example`) is not
approved: every run of it would fail while its card looked fine. The approver is told which step,
in plain words; once a version with the real address is proposed, it is approved as usual."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Role
from tests.bot.conftest import Live
from workflows.describe import summary
from workflows.stand_ins import is_stand_in


def _spec(url: str) -> dict[str, Any]:
    return {
        "name": "Orders to the sheet",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "fetch_orders",
                "name": "Fetch the orders",
                "action": "http.request",
                "inputs": {"method": "GET", "url": url},
            }
        ],
    }


async def test_a_stand_in_address_blocks_approval_until_a_real_one_is_given(live: Live) -> None:
    created = await live.as_(Role.operator).post(
        "/api/workflows", json={"spec": _spec("https://api.example.com/orders")}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    refused = await live.as_(Role.owner).post(f"/api/approvals/{body['approval']['id']}/approve")
    assert refused.status_code == 409, refused.text
    message = refused.json()["error"]["message"]
    assert "“Fetch the orders” (api.example.com)" in message
    assert "stand-in web address" in message and "{{" not in message
    workflow = (await live.as_().get(f"/api/workflows/{body['id']}")).json()
    assert workflow["status"] == "pending_approval"

    fixed = await live.as_(Role.operator).post(
        f"/api/workflows/{body['id']}/versions",
        json={"spec": _spec("https://shop.acme-widgets.co.uk/api/orders")},
    )
    assert fixed.status_code == 201, fixed.text
    approved = await live.as_(Role.owner).post(
        f"/api/approvals/{fixed.json()['approval']['id']}/approve"
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"


@pytest.mark.parametrize(
    ("url", "stand_in"),
    [
        ("https://api.example.com/contacts", True),
        ("http://example.org", True),
        ("https://api.signal.example/v2/send", True),
        ("https://example.co.uk/x", False),
        ("https://myexample.com/x", False),
        ("https://hooks.slack.com/services/T/B/X", False),
        ("not a url", False),
    ],
)
def test_only_reserved_example_names_are_stand_ins(url: str, stand_in: bool) -> None:
    assert is_stand_in(url) is stand_in


@pytest.mark.parametrize(
    "url", ["https://api.example.com/orders", "https://shop.example.org/admin", "https://x.example"]
)
def test_the_card_says_a_stand_in_address_is_still_to_be_filled_in(url: str) -> None:
    words = summary(_spec(url))
    assert "fetch the orders (its web address is still to be filled in)" in words
    assert "still to be filled in" not in summary(_spec("https://shop.acme-widgets.co.uk/api"))
