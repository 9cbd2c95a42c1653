"""The FastAPI app factory: REST API, webhook hub, and the runtime in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from accounts.purge_clock import PurgeClock
from accounts.support_alerts import SupportAlarm
from bot import web
from bot.api import (
    approvals,
    audit,
    charts,
    contacts,
    docs,
    errors,
    export,
    forms,
    health,
    hooks,
    inbound,
    milestones,
    referrals,
    runs,
    support,
    templates,
    workflows,
    workspace,
)
from bot.body_limits import BodyLimitMiddleware
from bot.security_headers import SecurityHeadersMiddleware
from bot.slack.http import slack_router
from bot.throttle.setup import build_limiter
from bot.web.render import error_page
from storage.config import Settings
from workflows.runtime import Runtime
from workflows.spec import WorkflowSpec


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; the runtime (database, scheduler, engine) starts with it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime(settings)
        app.state.runtime = rt
        if runtime is None:
            await rt.start()
        app.state.limiter.monitor.start()
        gateway = None
        if settings.mail_port is not None:  # inbound SMTP in the same process as the scheduler
            from bot.mail.gateway import MailGateway

            gateway = await MailGateway(rt, settings.host, settings.mail_port).start()
        purges = None
        if settings.run_scheduler:  # the scheduling process also runs the daily retention purge
            purges = PurgeClock(settings, rt.sessions)
            purges.start()
        alarm = None
        if settings.run_scheduler and settings.support_channel:
            alarm = SupportAlarm(settings, rt.sessions, rt.http)
            alarm.start()
        try:
            yield
        finally:
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
    app.state.limiter = build_limiter(settings, lambda: app.state.runtime.in_flight)
    errors.install(app, html=error_page)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware)
    for module in (health, templates, workflows, approvals, runs, inbound, hooks, charts, forms):
        app.include_router(module.router)
    app.include_router(milestones.router)
    app.include_router(workspace.router)
    app.include_router(contacts.router)
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
