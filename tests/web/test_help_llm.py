"""Help with a model (a scripted OpenAI-compatible server on loopback): the answer is grounded in
the docs passages the search found and cites them; a model that answers nonsense, cites what it
was not given, or times out leaves the offline answer — the passages quoted."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from storage.config import Settings
from tests.conftest import make_settings
from tests.fakes.openai_server import ScriptedOpenAI, openai_server
from tests.web.conftest import Web, sign_up_client

__all__ = ["openai_server"]
QUESTION = "restore a deleted workspace"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, openai_server: ScriptedOpenAI) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_server.base_url,
        LEVQOR_STEP_TIMEOUT=0.5,
    )


async def _help(web: Web) -> str:
    client = await sign_up_client(web)
    page = await client.get(f"/help?q={quote_plus(QUESTION)}")
    await client.aclose()
    assert page.status_code == 200
    return page.text


async def test_the_answer_is_grounded_in_the_passages_and_cites_them(
    web: Web, openai_server: ScriptedOpenAI
) -> None:
    openai_server.reply_json(
        {"answer": "An owner restores it from the Workspace page within 30 days.", "cited": [1]}
    )
    html = await _help(web)
    assert "<h2>Answer</h2>" in html
    assert "An owner restores it from the Workspace page within 30 days." in html
    cited = re.search(r"Based on: <cite>([^<]+)</cite>", html)
    assert cited is not None and cited.group(1).startswith("data-lifecycle.md")
    assert "<blockquote>" in html  # the passages it is based on are still shown

    [asked] = openai_server.requests
    prompt = asked.messages[-1]["content"]
    assert QUESTION in prompt and f"[1] ({cited.group(1)})" in prompt.replace("&amp;", "&")
    assert "ONLY the numbered passages" in prompt


@pytest.mark.parametrize(
    "reply",
    [
        "Sure! Workspaces are like gardens.",  # not the JSON asked for
        '{"answer": "Call us on the phone.", "cited": [9]}',  # cites a passage it was not given
        '{"answer": "Restore it.", "cited": []}',  # cites nothing
    ],
)
async def test_a_nonsense_answer_falls_back_to_the_quoted_docs(
    web: Web, openai_server: ScriptedOpenAI, reply: str
) -> None:
    openai_server.reply(reply)
    html = await _help(web)
    assert "<h2>Answer</h2>" not in html and "gardens" not in html and "phone" not in html
    assert "<h2>From the docs</h2>" in html and "<blockquote>" in html
    assert "data-lifecycle.md" in html


async def test_a_model_that_times_out_falls_back_to_the_quoted_docs(
    web: Web, openai_server: ScriptedOpenAI
) -> None:
    openai_server.reply_json({"answer": "Too late.", "cited": [1]}, delay=3)
    openai_server.reply_json({"answer": "Too late again.", "cited": [1]}, delay=3)
    html = await _help(web)
    assert "Too late" not in html
    assert "<h2>From the docs</h2>" in html and "data-lifecycle.md" in html
