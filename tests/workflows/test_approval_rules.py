"""Who may approve what (`workflows.policy`, via `service.decide`); data leaving the workspace."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.models import Approval, ApprovalLink, Decision, Member, Role, Workspace
from storage.scope import Tenant
from workflows import approval_links, service
from workflows.errors import Forbidden
from workflows.policy import assess
from workflows.spec import WorkflowSpec

PURGE = {
    "name": "Purge stale contacts",
    "trigger": {"type": "manual"},
    "steps": [{"id": "purge", "action": "crm.delete_contacts", "inputs": {"inactive_for": "365d"}}],
}
WELCOME = {
    "name": "Welcome email",
    "trigger": {"type": "webhook"},
    "steps": [
        {"id": "welcome", "action": "email.send",
         "inputs": {"to": "{{ trigger.email }}", "subject": "Welcome", "text": "Hello"}}
    ],
}  # fmt: skip


async def member(sessions: async_sessionmaker[AsyncSession], ws: Workspace, role: Role) -> Member:
    async with sessions() as session:
        query = select(Member).where(Member.workspace_id == ws.id, Member.role == role)
        return (await session.exec(query)).one()


@pytest.fixture
async def solo(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    """A workspace with one owner (and an operator): nobody else could approve class B or C."""
    async with sessions() as session:
        ws = Workspace(slug="solo", name="Solo")
        session.add(ws)
        await session.flush()
        for name, role in (("Sam Solo", Role.owner), ("Otto Operator", Role.operator)):
            session.add(Member(workspace_id=ws.id, name=name, role=role, email=f"{role}@solo.test"))
        await session.commit()
    return ws


async def propose(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, spec: dict[str, Any],
    requester: Member | None,
) -> Approval:  # fmt: skip
    async with sessions() as session:
        tenant = Tenant(session, ws.id)
        parsed = service.parse_spec(spec, default_registry())
        proposal = await service.create_workflow(tenant, parsed, default_registry(), requester)
        await session.commit()
        return proposal.approval


async def decide(
    sessions: async_sessionmaker[AsyncSession], approval: Approval, who: Member, **options: Any
) -> service.Proposal:
    async with sessions() as session:
        tenant = Tenant(session, who.workspace_id)
        proposal = await service.decide(tenant, approval.id, who, approve=True, **options)
        await session.commit()
        return proposal


async def test_an_owners_own_class_c_needs_a_second_owner_or_admin_who_types_its_name(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    admin = await member(sessions, workspace, Role.admin)
    approval = await propose(sessions, workspace, PURGE, owner)
    with pytest.raises(Forbidden, match="a second owner or admin"):
        await decide(sessions, approval, owner, confirm=True)
    # Typing the name does not let the requester approve their own either.
    with pytest.raises(Forbidden, match="a second owner or admin"):
        await decide(sessions, approval, owner, typed_name="Purge stale contacts")
    # The second approver types the name: a ticked confirmation alone is not enough.
    with pytest.raises(Forbidden, match="type “Purge stale contacts”"):
        await decide(sessions, approval, admin, confirm=True)
    with pytest.raises(Forbidden, match="does not match"):
        await decide(sessions, approval, admin, typed_name="Purge contacts")
    done = await decide(sessions, approval, admin, typed_name=" purge stale CONTACTS")
    assert done.approval.decision == Decision.approved and done.approval.decided_by == admin.id


async def test_someone_elses_class_c_still_needs_an_owner(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    operator = await member(sessions, workspace, Role.operator)
    admin = await member(sessions, workspace, Role.admin)
    owner = await member(sessions, workspace, Role.owner)
    approval = await propose(sessions, workspace, PURGE, operator)
    with pytest.raises(Forbidden, match="an owner"):
        await decide(sessions, approval, admin, typed_name="Purge stale contacts")
    with pytest.raises(Forbidden, match="type “Purge stale contacts”"):
        await decide(sessions, approval, owner, confirm=True)
    named = await decide(sessions, approval, owner, typed_name="Purge stale contacts")
    assert named.approval.decision == "approved"


async def test_a_lone_owner_types_the_name_then_confirms_by_email_link(
    sessions: async_sessionmaker[AsyncSession], solo: Workspace
) -> None:
    owner = await member(sessions, solo, Role.owner)
    approval = await propose(sessions, solo, PURGE, owner)
    with pytest.raises(Forbidden, match="type its name"):
        await decide(sessions, approval, owner, confirm=True)
    with pytest.raises(Forbidden, match="does not match"):
        await decide(sessions, approval, owner, confirm=True, typed_name="Purge contacts")
    asked = await decide(sessions, approval, owner, typed_name="  purge STALE contacts ")
    assert asked.approval.decision == Decision.pending and asked.confirmation is not None
    assert asked.confirmation.email == "owner@solo.test"
    token = asked.confirmation.token
    async with sessions() as session:
        [stored] = (await session.exec(select(ApprovalLink))).all()
        assert stored.token_hash != token and token not in stored.token_hash  # only its hash
        done = await approval_links.approve_by_link(session, token)
        await session.commit()
    assert done.approval.decision == Decision.approved and done.approval.decided_by == owner.id
    async with sessions() as session:
        with pytest.raises(approval_links.LinkGone, match="already been used"):
            await approval_links.approve_by_link(session, token)


async def test_a_link_is_refused_once_someone_else_could_approve(
    sessions: async_sessionmaker[AsyncSession], solo: Workspace
) -> None:
    owner = await member(sessions, solo, Role.owner)
    approval = await propose(sessions, solo, PURGE, owner)
    token = (
        await decide(sessions, approval, owner, typed_name="Purge stale contacts")
    ).confirmation
    assert token is not None
    async with sessions() as session:  # an admin joins before the link is clicked
        session.add(Member(workspace_id=solo.id, name="Ada", role=Role.admin, email="a@solo.test"))
        await session.commit()
    async with sessions() as session:
        with pytest.raises(Forbidden, match="a second owner or admin"):
            await approval_links.approve_by_link(session, token.token)
        await session.rollback()
        assert (await session.get(Approval, approval.id)).decision == Decision.pending  # type: ignore[union-attr]


async def test_class_b_self_approval(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, solo: Workspace
) -> None:
    lone = await member(sessions, solo, Role.owner)
    mine = await propose(sessions, solo, WELCOME, lone)
    with pytest.raises(Forbidden, match="confirm"):
        await decide(sessions, mine, lone)
    assert (await decide(sessions, mine, lone, confirm=True)).approval.decision == "approved"
    # With another admin around, the requester does not approve their own (setting off).
    owner = await member(sessions, workspace, Role.owner)
    theirs = await propose(sessions, workspace, WELCOME, owner)
    with pytest.raises(Forbidden, match="other than the requester"):
        await decide(sessions, theirs, owner, confirm=True)


def classify(*steps: dict[str, Any]) -> tuple[str, list[str]]:
    spec = WorkflowSpec.model_validate({"name": "X", "trigger": {"type": "manual"},
                                        "steps": list(steps)})  # fmt: skip
    assessment = assess(spec, default_registry())
    return assessment.approval_class, assessment.reasons


FIND = {"id": "leads", "action": "crm.find_contacts", "inputs": {"added_within": "7d"}}
ONE = {"id": "who", "action": "crm.get_contact", "inputs": {"email": "{{ trigger.email }}"}}


def step(step_id: str, action: str, **inputs: Any) -> dict[str, Any]:
    return {"id": step_id, "action": action, "inputs": inputs}


def get(url: str) -> dict[str, Any]:
    return {"id": "out", "action": "http.request", "inputs": {"method": "GET", "url": url}}


def test_a_list_of_contacts_sent_to_a_web_address_is_class_c_with_the_reason_in_words() -> None:
    cls, reasons = classify(FIND, get("https://collector.example/?d={{ steps.leads.contacts }}"))
    assert cls == "C"
    assert any(
        "sends customer records in bulk" in r and "“leads”" in r and "web address" in r
        for r in reasons
    ), reasons


def test_one_contact_sent_outside_is_class_b() -> None:
    cls, reasons = classify(ONE, get("https://x.example/?e={{ steps.who.contact.email }}"))
    assert cls == "B" and any("customer data" in r for r in reasons), reasons


def test_contacts_posted_to_your_own_slack_channel_stay_class_a() -> None:
    post = step("post", "slack.post_message", channel="#sales", text="{{ steps.leads.contacts }}")
    assert classify(FIND, post)[0] == "A"
    mail = step("mail", "email.send", to="member:owners", subject="x", text="{{ steps.leads }}")
    assert classify(FIND, mail)[0] == "A"


def test_contacts_to_a_channel_or_address_picked_at_run_time_are_class_c() -> None:
    post = step("post", "slack.post_message", channel="{{ trigger.channel }}",
                text="{{ steps.leads.contacts }}")  # fmt: skip
    assert classify(FIND, post)[0] == "C"
    mail = step("mail", "email.send", to="partner@else.example", subject="x",
                text="{{ steps.leads }}")  # fmt: skip
    assert classify(FIND, mail)[0] == "C"


def test_data_passed_through_another_step_still_counts() -> None:
    summary = {"id": "sum", "action": "ai.summarize",
               "inputs": {"text": "{{ steps['leads'].contacts | tojson }}"}}  # fmt: skip
    cls, _ = classify(FIND, summary, get("https://x.example/?s={{ steps.sum.summary }}"))
    assert cls == "C"
    assert classify(FIND, get("https://x.example/?all={{ steps | tojson }}"))[0] == "C"


def test_a_count_alone_is_not_customer_data() -> None:
    assert classify(FIND, get("https://x.example/?n={{ steps.leads.count }}"))[0] == "A"
