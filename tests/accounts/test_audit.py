"""Reading the audit log: API (JSON, CSV, pages, roles) and the /audit page."""

from __future__ import annotations

import csv
import io

from storage.models import Role
from tests.bot.conftest import Live, live

__all__ = ["live"]

SPEC = {
    "name": "Ping the team",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "x"}}
    ],
}


async def test_owners_and_admins_read_who_did_what(live: Live) -> None:
    created = (await live.as_(Role.operator).post("/api/workflows", json={"spec": SPEC})).json()
    approval = created["approval"]["id"]
    assert (await live.as_(Role.admin).post(f"/api/approvals/{approval}/approve")).is_success

    refused = await live.as_(Role.operator).get("/api/audit")
    assert refused.status_code == 403 and "owners and admins" in refused.text
    page = (await live.as_(Role.admin).get("/api/audit")).json()
    said = [(e["actor"], e["what"]) for e in page["entries"]]
    assert said == [
        ("Adam Admin (admin)", "approved a workflow"),
        ("Oscar Operator (operator)", "created a workflow"),
    ]
    assert page["entries"][1]["detail"] == {"name": "Ping the team"}

    first = (await live.as_().get("/api/audit", params={"limit": 1})).json()
    assert len(first["entries"]) == 1 and first["next_before"] is not None
    older = await live.as_().get("/api/audit", params={"before": first["next_before"]})
    assert [e["action"] for e in older.json()["entries"]] == ["workflow.created"]

    download = await live.as_().get("/api/audit", params={"format": "csv"})
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["did"] for r in rows] == ["approved a workflow", "created a workflow"]
    assert (await live.as_().get("/api/audit", params={"format": "xml"})).status_code == 422
