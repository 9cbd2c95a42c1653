"""`credentials.*` actions: rotate a workspace's stored integration secret (never reveal it)."""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import Field

from integrations.base import Action, ActionContext, ActionError, ActionInput, ActionOutput, Risk
from integrations.credentials import load_credential, store_credential

_VISIBLE_TAIL = 4


class RotateInput(ActionInput):
    """Which stored secret to replace: its integration (`stripe`) and name (`api_key`)."""

    integration: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][\w.-]*$")


class RotateOutput(ActionOutput):
    """What was rotated, with a masked preview of the new secret (never the secret itself)."""

    integration: str
    name: str
    preview: str
    rotated: bool


def masked(secret: str) -> str:
    """A preview that shows only the last few characters of a secret."""
    return "•" * 8 + secret[-_VISIBLE_TAIL:]


async def rotate(ctx: ActionContext, inp: RotateInput) -> RotateOutput:
    """Replace the stored secret with a new random one and return only a masked preview."""
    async with ctx.sessions() as session:
        current = await load_credential(
            session, ctx.workspace_id, inp.integration, inp.name, settings=ctx.settings
        )
        if current is None:
            raise ActionError(
                f"there is no stored {inp.integration} credential named {inp.name!r} to rotate"
            )
        if ctx.dry_run:
            return RotateOutput(
                integration=inp.integration, name=inp.name, preview=masked(current), rotated=False
            )
        fresh = secrets.token_urlsafe(32)
        await store_credential(
            session, ctx.workspace_id, inp.integration, inp.name, fresh, settings=ctx.settings
        )
        await session.commit()
    return RotateOutput(
        integration=inp.integration, name=inp.name, preview=masked(fresh), rotated=True
    )


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="credentials.rotate",
        description=(
            "Replace a stored integration secret with a newly generated random one; "
            "only a masked preview is returned."
        ),
        risk=Risk.critical, input_model=RotateInput, output_model=RotateOutput, handler=rotate,
    ),
]  # fmt: skip
