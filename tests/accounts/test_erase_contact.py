"""Erasing one contact through the API: gone from contacts, messages and run data; others stay."""

from __future__ import annotations

from sqlmodel import select

from storage.config import Settings
from storage.models import AuditLog, CrmContact, OutboxMessage, Role, Run, RunEvent, StepRun
from tests.accounts.seed import Sessions, seed_runs
from tests.bot.conftest import Live, live

__all__ = ["live"]

GONE = "Dana.Doe@Example.com"
KEPT = "keep@example.com"


async def _seed(settings: Settings, sessions: Sessions, live: Live) -> None:
    seeded = await seed_runs(settings, sessions, live.workspace, runs=1, messages=0)
    ws = live.workspace.id
    async with sessions() as session:
        session.add_all(
            [
                CrmContact(workspace_id=ws, email=GONE.lower(), name="Dana"),
                CrmContact(workspace_id=ws, email=KEPT, name="Kim"),
                OutboxMessage(workspace_id=ws, channel="email", target=GONE.lower(), body="Hi"),
                OutboxMessage(
                    workspace_id=ws, channel="slack", target="#sales", body=f"New lead {GONE}"
                ),
                OutboxMessage(workspace_id=ws, channel="email", target=KEPT, body="Hi Kim"),
            ]
        )
        run = await session.get(Run, seeded.run_ids[0])
        assert run is not None
        run.trigger_payload = {"lead": {"email": GONE, "name": "Dana"}, "other": KEPT}
        session.add(run)
        step = (await session.exec(select(StepRun).where(StepRun.run_id == run.id))).first()
        assert step is not None
        step.inputs = {"to": [GONE.lower(), KEPT], "subject": "Welcome"}
        session.add(step)
        session.add(RunEvent(workspace_id=ws, run_id=run.id, kind="sent", message=f"to {GONE}"))
        await session.commit()


async def test_owner_erases_one_contact_everywhere(
    live: Live, settings: Settings, sessions: Sessions
) -> None:
    await _seed(settings, sessions, live)
    body = {"email": GONE, "confirm": True}
    assert (await live.as_(Role.admin).post("/api/contacts/erase", json=body)).status_code == 403
    unconfirmed = await live.as_().post("/api/contacts/erase", json={"email": GONE})
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.text

    erased = await live.as_().post("/api/contacts/erase", json=body)
    assert erased.status_code == 200, erased.text
    assert erased.json() == {"contacts": 1, "messages": 2, "runs": 1, "steps": 1, "events": 1}

    async with sessions() as session:
        contacts = [c.email for c in (await session.exec(select(CrmContact))).all()]
        messages = [m.target for m in (await session.exec(select(OutboxMessage))).all()]
        runs = (await session.exec(select(Run))).all()
        steps = (await session.exec(select(StepRun))).all()
        events = (await session.exec(select(RunEvent))).all()
        audit = (await session.exec(select(AuditLog))).all()
    assert contacts == [KEPT] and messages == [KEPT]
    everything = str([r.trigger_payload for r in runs]) + str([(s.inputs, s.output) for s in steps])
    everything += str([e.message for e in events]) + str([(a.subject, a.detail) for a in audit])
    assert "dana.doe" not in everything.lower()
    assert KEPT in everything and "Welcome" in everything  # the rest of the run data stays
    assert runs[0].trigger_payload["lead"]["name"] == "Dana"  # only the address is matched
    assert [a.action for a in audit] == ["contact.erased"]

    again = await live.as_().post("/api/contacts/erase", json=body)
    assert again.json() == {"contacts": 0, "messages": 0, "runs": 0, "steps": 0, "events": 0}
