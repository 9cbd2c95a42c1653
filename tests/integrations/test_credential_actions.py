"""credentials.rotate: replaces a stored secret for real, returns only a masked preview."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import credential_actions
from integrations.base import ActionContext, ActionError, Risk
from integrations.catalog import default_registry
from integrations.credentials import load_credential, store_credential
from storage.config import Settings
from storage.models import Credential, Workspace
from workflows.policy import assess
from workflows.spec import WorkflowSpec

OLD = "sk_live_old_secret_value_1234"


@pytest.fixture
async def ctx(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> AsyncIterator[ActionContext]:
    """A context whose workspace has a Stripe api_key stored (and another workspace one too)."""
    async with sessions() as session:
        other = Workspace(name="Other", slug="other")
        session.add(other)
        await session.flush()
        await store_credential(session, workspace.id, "stripe", "api_key", OLD, settings=settings)
        await store_credential(session, other.id, "stripe", "api_key", OLD, settings=settings)
        await session.commit()
    async with httpx.AsyncClient() as http:
        yield ActionContext(settings, sessions, http, workspace.id, "wf", "run", "step", "run:step")


async def rotate(ctx: ActionContext, **inputs: Any) -> dict[str, Any]:
    """Run credentials.rotate through the registry and dump its output."""
    action = default_registry().get("credentials.rotate")
    return dict((await action.run(ctx, inputs)).model_dump())


async def _stored(ctx: ActionContext, workspace_id: str) -> str | None:
    async with ctx.sessions() as session:
        return await load_credential(
            session, workspace_id, "stripe", "api_key", settings=ctx.settings
        )


async def test_rotation_replaces_the_secret_and_never_returns_it(ctx: ActionContext) -> None:
    out = await rotate(ctx, integration="stripe", name="api_key")
    fresh = await _stored(ctx, ctx.workspace_id)
    assert fresh is not None and fresh != OLD and len(fresh) >= 40
    assert out == {
        "integration": "stripe",
        "name": "api_key",
        "preview": "••••••••" + fresh[-4:],
        "rotated": True,
    }
    assert fresh not in str(out)
    again = await rotate(ctx, integration="stripe", name="api_key")
    assert await _stored(ctx, ctx.workspace_id) not in (fresh, OLD)
    assert again["preview"] != out["preview"]


async def test_only_this_workspace_is_rotated_and_stays_encrypted(ctx: ActionContext) -> None:
    await rotate(ctx, integration="stripe", name="api_key")
    async with ctx.sessions() as session:
        rows = (await session.exec(select(Credential))).all()
    others = [r.workspace_id for r in rows if r.workspace_id != ctx.workspace_id]
    assert len(rows) == 2 and len(others) == 1
    assert await _stored(ctx, others[0]) == OLD
    fresh = await _stored(ctx, ctx.workspace_id)
    assert fresh is not None and all(fresh not in r.ciphertext for r in rows)


async def test_missing_credential_is_an_error_and_dry_run_changes_nothing(
    ctx: ActionContext,
) -> None:
    with pytest.raises(ActionError, match="no stored sendgrid credential"):
        await rotate(ctx, integration="sendgrid", name="api_key")
    ctx.dry_run = True
    out = await rotate(ctx, integration="stripe", name="api_key")
    assert out["rotated"] is False and out["preview"].endswith(OLD[-4:])
    assert await _stored(ctx, ctx.workspace_id) == OLD


async def test_inputs_are_validated() -> None:
    with pytest.raises(ValidationError):
        credential_actions.RotateInput.model_validate({"integration": "Stripe Live", "name": "k"})
    with pytest.raises(ValidationError):
        credential_actions.RotateInput.model_validate(
            {"integration": "stripe", "name": "k", "reveal": True}
        )


def test_a_spec_that_rotates_a_key_is_class_c() -> None:
    registry = default_registry()
    assert registry.get("credentials.rotate").risk == Risk.critical
    spec = WorkflowSpec.model_validate(
        {
            "name": "Rotate the Stripe key",
            "trigger": {"type": "manual"},
            "steps": [
                {
                    "id": "rotate",
                    "action": "credentials.rotate",
                    "inputs": {"integration": "stripe", "name": "api_key"},
                }
            ],
        }
    )
    assert assess(spec, registry).approval_class == "C"
