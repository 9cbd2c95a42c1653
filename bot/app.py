"""The FastAPI app factory: REST API, webhook hub, and the runtime in its lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from accounts import export_recovery
from accounts.purge_clock import PurgeClock
from accounts.stripe_billing import check_configured as check_billing_configured
from accounts.support_alerts import SupportAlarm
from agents.drafting import warm_up
from bot import web
from bot.accept_timing import AcceptTimingMiddleware
from bot.access_log import AccessLogMiddleware
from bot.api import (
    approvals,
    audit,
    billing,
    charts,
    clients,
    connections,
    contact_erasure,
    contacts,
    docs,
    errors,
    export,
    forms,
    health,
    hooks,
    inbound,
    messages,
    milestones,
    notifications,
    operations,
    referrals,
    runs,
    support,
    templates,
    workflows,
    workspace,
    workspace_lifecycle,
)
from bot.billing_hooks import install_billing
from bot.body_limits import BodyLimitMiddleware
from bot.security_headers import SecurityHeadersMiddleware
from bot.slack.http import slack_router
from bot.throttle.setup import build_limiter
from bot.web.render import error_page
from storage.config import Settings
from workflows.runtime import Runtime
from workflows.spec import WorkflowSpec

log = logging.getLogger(__name__)


async def billing_sweeps(runtime: Runtime) -> None:
    """Every `LEVQOR_BILLING_SWEEP_SECONDS`: trials and grace periods that ran out, reminders."""
    from accounts.billing_clock import tick

    while True:
        try:
            done = await tick(runtime.settings, runtime.sessions, runtime.http)
            for workflow in done.paused:
                await runtime.sync_workflow(workflow)
        except Exception:
            log.exception("billing sweep failed; trying again next time")
        await asyncio.sleep(runtime.settings.billing_sweep_seconds)


async def _settle_exports(settings: Settings, rt: Runtime) -> None:
    """Fail the exports a killed process left running; without a database, start anyway (an
    export is settled again whenever it is looked at, and readiness reports the database)."""
    try:
        await export_recovery.settle_all(settings, rt.sessions)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("exports left running were not checked at start: %s", exc.__class__.__name__)


def create_app(
    settings: Settings,
    runtime: Runtime | None = None,
    *,
    on_ready: Callable[[], None] | None = None,
) -> FastAPI:
    """Build the app; the runtime (database, scheduler, engine) starts with it.

    `on_ready` is called once everything has started (`levqor serve` prints the address then).
    """
    check_billing_configured(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime(settings)
        app.state.runtime = rt
        install_billing(rt)
        if runtime is None:
            await rt.start_role()
        app.state.limiter.monitor.start()
        await _settle_exports(settings, rt)  # builds a killed process left
        gateway = None
        if settings.mail_port is not None:  # inbound SMTP in the same process as the scheduler
            from bot.mail.gateway import MailGateway

            gateway = await MailGateway(rt, settings.host, settings.mail_port).start()
        sweeper = None
        if settings.stripe_billing_secret_key:  # trials end, reminders go out
            sweeper = asyncio.create_task(billing_sweeps(rt))
        purges = None
        if settings.run_scheduler:  # the scheduling process also runs the daily retention purge
            purges = PurgeClock(settings, rt.sessions)
            purges.start()
        alarm = None
        if settings.run_scheduler and settings.support_channel:
            alarm = SupportAlarm(settings, rt.sessions, rt.http)
            alarm.start()
        # The drafting models and word lists load once per process (~0.15 s): loaded now, in a
        # thread, so the first person to ask for a workflow does not wait for them.
        warming = asyncio.create_task(asyncio.to_thread(warm_up))
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            warming.cancel()
            if sweeper is not None:
                sweeper.cancel()
            await app.state.limiter.close()
            if purges is not None:
                await purges.close()
            if alarm is not None:
                await alarm.close()
            if gateway is not None:
                await gateway.close()
            if runtime is None:
                await rt.close()

    app = FastAPI(
        title="Levqor",
        version="0.1.0",
        summary="Chat-first operations assistant: workflows drafted, approved and run.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    if runtime is not None:
        app.state.runtime = runtime
        install_billing(runtime)
    app.state.limiter = build_limiter(settings, lambda: app.state.runtime.in_flight)
    errors.install(app, html=error_page)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware)
    for module in (
        health,
        templates,
        workflows,
        approvals,
        runs,
        inbound,
        hooks,
        charts,
        forms,
        workspace,
        notifications,
    ):
        app.include_router(module.router)
    app.add_middleware(AcceptTimingMiddleware)
    app.include_router(connections.router)
    app.add_middleware(AccessLogMiddleware)  # outermost: sees every request and its status
    app.include_router(messages.router)
    app.include_router(contacts.router)
    app.include_router(milestones.router)
    app.include_router(billing.router)
    app.include_router(clients.router)
    app.include_router(operations.router)
    app.include_router(workspace_lifecycle.router)
    app.include_router(contact_erasure.router)
    app.include_router(export.router)
    app.include_router(export.files)
    app.include_router(audit.router)
    app.include_router(support.router)
    app.include_router(referrals.router)
    app.include_router(docs.router)
    app.include_router(slack_router(settings))
    web.install(app)

    @app.get("/api/schema/workflow", tags=["workflows"])
    async def workflow_schema() -> dict[str, object]:
        """The JSON Schema of a workflow spec."""
        return WorkflowSpec.model_json_schema()

    return app
