"""The Bolt `AsyncApp` factory: one bot token (the `default` workspace) or OAuth installs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from agents.drafting import build_drafter
from bot.slack import listeners
from bot.slack.client import web_client
from bot.slack.connect import ConnectingOAuthFlow, callback_options
from bot.slack.conversation import AssistantConversation
from bot.slack.dedupe import dedupe_events
from bot.slack.deps import CONTEXT_KEY, ConversationHandler, SlackDeps, multi_workspace
from bot.slack.errors import on_unhandled
from bot.slack.installations import DatabaseInstallationStore, DatabaseStateStore
from storage.config import Settings
from workflows.runtime import Runtime

BOT_SCOPES = [
    "app_mentions:read",
    # Reading a channel's recent history lets a post cut off by a crash be found, not re-sent
    # (integrations.slack.find_posted); without them such a post is marked "unknown".
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "im:read",
    "im:write",
    # An emoji put on a message starts workflows listening for it (`reaction_added`).
    "reactions:read",
    "users:read",
    # A Slack user's address: someone who signed up on the web is the same member in Slack.
    "users:read.email",
]
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def slack_configured(settings: Settings) -> bool:
    """Whether Slack requests can be served: a signing secret plus a token or OAuth client."""
    has_auth = bool(settings.slack_bot_token) or multi_workspace(settings)
    return bool(settings.slack_signing_secret) and has_auth


def create_bolt_app(
    settings: Settings, runtime: Runtime, *, conversation: ConversationHandler | None = None
) -> AsyncApp:
    """The Slack app with every listener registered and Levqor's dependencies in its context."""
    drafter = build_drafter(settings, runtime.registry)
    talk = conversation or AssistantConversation(runtime, drafter)
    deps = SlackDeps(settings, runtime, drafter, talk)
    secret = settings.slack_signing_secret or ""
    if multi_workspace(settings):
        oauth = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=BOT_SCOPES,
            redirect_uri=settings.public_url.rstrip("/") + REDIRECT_PATH,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=DatabaseInstallationStore(runtime.sessions, settings),
            installation_store_bot_only=True,
            state_store=DatabaseStateStore(runtime.sessions),
            callback_options=callback_options(),
            authorization_url=settings.slack_authorize_url,
        )
        client = web_client(settings)
        app = AsyncApp(
            signing_secret=secret,
            client=client,
            oauth_flow=ConnectingOAuthFlow(client=client, settings=oauth),
            installation_store_bot_only=True,
        )
    else:
        app = AsyncApp(signing_secret=secret, client=web_client(settings, settings.slack_bot_token))
    app.use(_inject(deps))
    app.use(dedupe_events(runtime.sessions))
    listeners.register(app)
    app.error(on_unhandled)
    return app


def _inject(deps: SlackDeps) -> Callable[..., Awaitable[None]]:
    async def inject(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context[CONTEXT_KEY] = deps
        await next()

    return inject
