"""Create a Levqor workflow from a JSON spec (operator key), approve it (owner key), print its hook URL.

python levqor_setup.py BASE_URL SPEC.json OPERATOR_KEY OWNER_KEY [when_done]

With `when_done`, the workflow answers when its last step is done (like n8n's "last node").
"""
import json
import sys

import httpx

base, spec_path, operator, owner = sys.argv[1:5]
spec = json.load(open(spec_path))
if sys.argv[5:] == ["when_done"]:
    spec["name"] += " (answers when done)"
    spec["trigger"].update(webhook_response="when_done", webhook_timeout_seconds=60)
with httpx.Client(base_url=base, timeout=30) as c:
    r = c.post("/api/workflows", json={"spec": spec}, headers={"Authorization": f"Bearer {operator}"})
    assert r.status_code == 201, r.text
    created = r.json()
    a = c.post(f"/api/approvals/{created['approval']['id']}/approve", json={"confirm": True},
               headers={"Authorization": f"Bearer {owner}"})
    assert a.status_code == 200, a.text
    wf = c.get(f"/api/workflows/{created['id']}", headers={"Authorization": f"Bearer {owner}"}).json()
    assert wf["status"] == "active", wf
    print(f"approval class {created['approval']['class']}", file=sys.stderr)
    print(wf.get("webhook_url") or created["webhook_url"])
