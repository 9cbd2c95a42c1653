"""The webhook hub route: `POST /hooks/{workflow_id}/{secret}` → 202 with the run id, or (for a
workflow set to answer "when done") 200 with how the run ended and its output."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from accounts import limits
from bot.api.closed import refuse_if_closed
from bot.api.deps import RuntimeDep, SessionDep
from bot.api.responses import errors
from bot.api.schemas import HookAccepted, HookAnswered
from bot.throttle.deps import limiter_of, source_of
from storage.compare import same_secret
from storage.models import ENDED_RUN_STATUSES, Run
from storage.scope import Tenant
from workflows.errors import TooLarge
from workflows.runs import answer_from, answer_of
from workflows.triggers.webhook import Delivery, DeliverySkipped, hub_rows, receive

router = APIRouter(tags=["webhooks"], responses=errors(400, 401, 404, 409, 410, 413, 422, 429))
ENDED = ENDED_RUN_STATUSES
ANSWERED: dict[int | str, dict[str, Any]] = {
    200: {
        "model": HookAnswered,
        "description": "A repeated `Idempotency-Key` (the first run, nothing run again); or, "
        'for a workflow that answers "when done", the ended run and its output',
    }
}


@router.post(
    "/hooks/{workflow_id}/{secret}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=HookAccepted,
    response_model_exclude_none=True,
    responses=ANSWERED,
)
async def hook(
    workflow_id: str,
    secret: str,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    session: SessionDep,
) -> HookAccepted | JSONResponse:
    """Accept a delivery; the same `Idempotency-Key` again returns the first run, runs nothing.

    A workflow whose trigger says `webhook_response: when_done` answers once the run has ended
    (within `webhook_timeout_seconds`; past that, or when the run waits, 202 as usual)."""
    await limiter_of(request).strict("hook_delivery", source_of(request), workflow_id)
    limit = runtime.settings.webhook_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"payload is {declared} bytes; the limit is {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise TooLarge(f"payload is over the {limit}-byte limit")
    # Kept referenced until `receive` is done: they are read from the session, not queried again.
    reads = runtime.engine.reads  # autocommit on PostgreSQL; SQLite: the sessions themselves
    rows = await hub_rows(session, workflow_id, None if reads is runtime.sessions else reads)
    if rows is not None and same_secret(rows[0].webhook_secret, secret):
        await refuse_if_closed(session, rows[0].workspace_id, "webhook")
    try:
        delivery = await receive(
            session,
            workflow_id,
            secret,
            bytes(body),
            request.headers,
            max_bytes=limit,
            allow_legacy=runtime.settings.webhook_legacy_signatures,
            admit=limits.run_gate,
            lease=runtime.new_run_lease(),
        )
    except DeliverySkipped as skipped:
        await limits.record_skipped_delivery(session, skipped.workflow, skipped.reason)
        await session.commit()
        return HookAccepted(run_id=None, duplicate=False, skipped=skipped.reason)
    run = delivery.started.run
    duplicate = not delivery.started.created
    task = None if duplicate else runtime.submit(run.id, delivery.handed)
    if duplicate:
        response.status_code = status.HTTP_200_OK
    if delivery.trigger.webhook_response == "when_done":
        ended = await _ended(delivery, task)
        if ended is not None:
            response.status_code = status.HTTP_200_OK
            step = delivery.trigger.webhook_response_step
            left = None if delivery.handed is None else delivery.handed.answer.outputs
            if left is not None:  # executed here: the outputs as the engine left them
                output = answer_from(left, step)
            else:
                output = await answer_of(Tenant(session, ended.workspace_id), ended.id, step)
            answered = HookAnswered(
                run_id=ended.id,
                duplicate=duplicate,
                status=ended.status.value,
                output=output,
                error=ended.error,
            )  # every field, `output` and `error` too when empty: the sender reads them
            return JSONResponse(answered.model_dump(mode="json", exclude={"skipped"}))
    return HookAccepted(run_id=run.id, duplicate=duplicate)


async def _ended(delivery: Delivery, task: asyncio.Task[Run] | None) -> Run | None:
    """The run once it has ended within the workflow's timeout; None if it has not."""
    if task is None:  # a repeated delivery: the first run, as it stands now
        run = delivery.started.run
        return run if run.status in ENDED else None
    done, _ = await asyncio.wait({task}, timeout=delivery.trigger.webhook_timeout_seconds)
    if not done or task.cancelled() or task.exception() is not None:
        return None
    run = task.result()
    return run if run.status in ENDED else None
