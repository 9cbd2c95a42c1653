"""Web: "Try it" on a draft card runs the draft once on sample data (nothing is sent).

`POST /chat/try` with `{"approval_id"}` answers `{"html", "verdict", "steps"}`: the outcome of
each step in words and the messages it would send, rendered by `partials/trial.html`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from bot.web.auth import ApiContext, CsrfChecked
from bot.web.render import templates
from workflows import service
from workflows.first_run import TRIED
from workflows.trial import Trial, try_approval

router = APIRouter(include_in_schema=False)
LABELS = {"ok": "Works", "skipped": "Skipped", "failed": "Would fail", "waited": "Waits"}


class TryIn(BaseModel):
    """A click on a card's Try it."""

    approval_id: str = Field(min_length=1, max_length=64)


def trial_json(trial: Trial) -> dict[str, Any]:
    """The try as JSON: its HTML, verdict and each step (with the message it would send)."""
    steps = []
    for step in trial.steps:
        message = step.message
        steps.append(
            {
                "number": step.number,
                "text": step.text,
                "outcome": step.outcome,
                "detail": step.detail,
                "message": None
                if message is None
                else {
                    "headline": message.headline(tried=True),
                    "subject": message.subject,
                    "body": message.body,
                },
            }
        )
    html = templates.get_template("partials/trial.html").render(trial=trial, labels=LABELS)
    return {"html": html, "verdict": trial.verdict, "steps": steps}


@router.post("/chat/try", dependencies=[CsrfChecked])
async def try_draft(body: TryIn, ctx: ApiContext) -> dict[str, Any]:
    """Try the card's draft on sample data as a dry run and say what each step would do."""
    trial = await try_approval(ctx.runtime, ctx.tenant, body.approval_id)
    service.audit(ctx.tenant, ctx.user.member, TRIED, body.approval_id)  # the checklist's "Try it"
    await ctx.tenant.session.commit()
    return trial_json(trial)
