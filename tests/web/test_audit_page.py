"""The /audit page: entries in plain words, and the CSV download."""

from __future__ import annotations

from storage.models import Role
from tests.web.conftest import Web, sign_up_client
from tests.web.test_team import Sessions, member_by_email, send_invite


async def test_audit_page_lists_entries_in_plain_words(web: Web, sessions: Sessions) -> None:
    owner = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    await send_invite(owner, web, "nina@acme.example", "admin")
    page = await owner.get("/audit")
    assert page.status_code == 200
    assert "invited someone" in page.text and "nina@acme.example" in page.text
    assert "invite.created" not in page.text  # plain words, not action codes
    download = await owner.get("/audit.csv")
    assert download.status_code == 200 and "invited someone" in download.text
    member = await member_by_email(sessions, "olivia@acme.example")
    assert member.role == Role.owner
    await owner.aclose()
