"""Two tools and nothing asked of them (batch14 round), in wording written for these tests: "wire
notion and slack up", "tie X and Y together" ask what should happen between them."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    "request_text",
    ["can you wire notion and slack up", "hook trello and slack up for us please"],
)
def test_two_tools_hooked_up_with_nothing_asked_are_asked_about(request_text: str) -> None:
    assert draft(request_text).status == "clarify"
