"""The webhook hub route: `POST /hooks/{workflow_id}/{secret}` → 202 with the run id."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from accounts import limits
from bot.api.deps import RuntimeDep, SessionDep
from bot.api.responses import errors
from bot.api.schemas import HookAccepted
from bot.throttle.deps import limiter_of, source_of
from workflows.errors import TooLarge
from workflows.triggers.webhook import DeliverySkipped, receive

router = APIRouter(tags=["webhooks"], responses=errors(400, 401, 404, 409, 413, 422, 429))


@router.post(
    "/hooks/{workflow_id}/{secret}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model_exclude_none=True,
)
async def hook(
    workflow_id: str,
    secret: str,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    session: SessionDep,
) -> HookAccepted:
    """Accept a delivery; the same `Idempotency-Key` again returns the first run, runs nothing."""
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
    try:
        started = await receive(
            session,
            workflow_id,
            secret,
            bytes(body),
            request.headers,
            max_bytes=limit,
            allow_legacy=runtime.settings.webhook_legacy_signatures,
            admit=limits.run_gate,
        )
    except DeliverySkipped as skipped:
        await limits.record_skipped_delivery(session, skipped.workflow, skipped.reason)
        await session.commit()
        return HookAccepted(run_id=None, duplicate=False, skipped=skipped.reason)
    if started.created:
        runtime.submit(started.run.id)
    else:
        response.status_code = status.HTTP_200_OK
    return HookAccepted(run_id=started.run.id, duplicate=not started.created)
