"""One Slack OAuth install through the real routes: `/slack/install`, then Slack's answers from
the fake Web API (`oauth.v2.access`, `auth.test`), then `/slack/oauth_redirect` with the state
and its cookie, as a browser coming back from Slack would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from storage.config import Settings
from tests.bot.slack.conftest import SlackLive, slack_settings
from tests.fakes.slack_api import FakeSlack


def oauth_settings(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, **extra: str | None
) -> Settings:
    """Slack installed by OAuth (a client id and secret, no instance bot token)."""
    return slack_settings(
        tmp_path,
        database_url,
        fake_slack,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        **extra,
    )


@dataclass(frozen=True)
class Installed:
    """The redirect's answer, and the state and cookie it used (to try a replay)."""

    done: httpx.Response
    state: str
    cookie: dict[str, str]


async def install_team(
    live: SlackLive, fake_slack: FakeSlack, *, team: str, name: str, token: str, installer: str
) -> Installed:
    """Install Levqor in the Slack team `team` (called `name`) by OAuth, as `installer`; the
    bot's token is `token`; for team `T7` its user is `UBOT7` and its bot id `B7`."""
    page = await live.slack.http.get(f"{live.slack.url}/slack/install")
    state = page.text.split("state=", 1)[1].split("&", 1)[0]
    # The state cookie is `Secure` (a browser sends it back over https): send it as one would.
    cookie = {"cookie": page.headers["set-cookie"].split(";", 1)[0]}
    number = team.removeprefix("T")
    bot_user = f"UBOT{number}"
    fake_slack.answer_next(
        {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": bot_user,
            "app_id": "A0LEVQOR",
            "team": {"id": team, "name": name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }
    )
    fake_slack.answer_next(
        {"ok": True, "bot_id": f"B{number}", "user_id": bot_user, "team_id": team}
    )
    done = await live.slack.http.get(
        f"{live.slack.url}/slack/oauth_redirect",
        params={"code": "abc", "state": state},
        headers=cookie,
    )
    return Installed(done, state, cookie)
