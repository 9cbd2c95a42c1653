"""A workspace made by the Slack OAuth install starts the same free trial as a web sign-up and is
held to the same limits: once the trial is over, `/levqor run` says why and where to choose a
plan, and nothing runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from accounts.plans import TRIAL_DAYS, TRIAL_PLAN
from integrations.catalog import default_registry
from storage.models import Run, SlackInstallation, Subscription, Workspace
from storage.types import utcnow
from tests.bot.api.test_billing_limits import HELLO
from tests.bot.slack.conftest import start_slack_live
from tests.bot.slack.harness import Responses
from tests.bot.slack.install import install_team, oauth_settings
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.workflows.helpers import activate


async def test_a_slack_installed_workspace_is_on_the_trial_and_its_limits(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, responses: Responses
) -> None:
    settings = oauth_settings(
        tmp_path,
        database_url,
        fake_slack,
        STRIPE_BILLING_SECRET_KEY="sk_test_levqor_install",
        STRIPE_BILLING_WEBHOOK_SECRET="whsec_levqor_install",
    )
    async for live in start_slack_live(settings, fake_slack, responses):
        installed_by = await install_team(  # the fake answers this token
            live, fake_slack, team="T8", name="Team Eight", token=TOKEN, installer="UINSTALL8"
        )
        done = installed_by.done
        assert done.status_code == 200, done.text
        sessions = live.runtime.sessions
        async with sessions() as session:
            [installed] = (await session.exec(select(SlackInstallation))).all()
            workspace = await session.get(Workspace, installed.workspace_id)
            assert workspace is not None
            [trial] = (
                await session.exec(
                    select(Subscription).where(Subscription.workspace_id == workspace.id)
                )
            ).all()
        assert trial.plan == TRIAL_PLAN and trial.status == "trialing"
        assert trial.trial_ends_at is not None
        assert trial.trial_ends_at - utcnow() > timedelta(days=TRIAL_DAYS - 1)

        workflow = await activate(sessions, workspace, HELLO, default_registry())
        async with sessions() as session:  # the trial is over and no plan was chosen
            found = await session.get(Subscription, trial.id)
            assert found is not None
            found.trial_ends_at = utcnow() - timedelta(minutes=1)
            await session.commit()
        _, key = await live.slack.command("run Hello", user="UINSTALL8", team_id="T8")
        said = await live.slack.wait_response(key)
        assert "Your free trial has ended" in said["text"] and "read-only" in said["text"]
        assert "Upgrade at https://levqor.example/billing" in said["text"]
        async with sessions() as session:
            runs = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).all()
        assert runs == []
