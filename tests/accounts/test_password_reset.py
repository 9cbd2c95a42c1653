"""Password reset links: valid once, for an hour, for one login; a reset signs every browser out."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.password_reset import (
    LINK_MINUTES,
    ResetLinkError,
    login_for_token,
    reset_link,
    reset_token,
    set_password,
)
from accounts.web_auth import SignUpError, open_session, sign_in, sign_up
from storage.config import Settings
from storage.models import WebLogin, WebSession
from tests.conftest import make_settings

Sessions = async_sessionmaker[AsyncSession]
OLD, NEW = "old password 123", "new password 456"


async def new_login(sessions: Sessions, email: str = "ada@example.com") -> WebLogin:
    """A signed-up person with the OLD password and one open browser session."""
    async with sessions() as session:
        login = await sign_up(session, workspace_name="Acme", name="Ada", email=email, password=OLD)
        await open_session(session, login)
        await session.commit()
        return login


async def test_a_link_sets_the_password_once_and_signs_browsers_out(
    settings: Settings, sessions: Sessions
) -> None:
    login = await new_login(sessions)
    other = await new_login(sessions, "bob@example.com")
    link = reset_link(settings, login)
    assert link.startswith(f"{settings.public_url.rstrip('/')}/password/reset/{login.id}.")
    token = link.rsplit("/", 1)[1]
    async with sessions() as session:
        found = await login_for_token(session, settings, token)
        assert found.id == login.id
        await set_password(session, found, NEW)
        await session.commit()
    async with sessions() as session:
        assert await sign_in(session, "ada@example.com", OLD) is None
        assert await sign_in(session, "ada@example.com", NEW) is not None
        left = (await session.exec(select(WebSession.login_id))).all()
        assert left == [other.id]  # Ada's browsers are signed out, Bob's are not
        with pytest.raises(ResetLinkError, match="already used"):
            await login_for_token(session, settings, token)


async def test_expired_forged_and_foreign_links_are_refused(
    settings: Settings, sessions: Sessions
) -> None:
    login = await new_login(sessions)
    stale = reset_token(settings, login, now=time.time() - LINK_MINUTES * 60 - 1)
    fresh = reset_token(settings, login)
    login_id, expires, signature = fresh.split(".")
    longer = f"{login_id}.{int(expires) + 86400}.{signature}"  # a stretched expiry
    elsewhere = make_settings(settings.data_dir / "other", LEVQOR_SECRET_KEY="another secret")
    async with sessions() as session:
        with pytest.raises(ResetLinkError, match="expired"):
            await login_for_token(session, settings, stale)
        for bad in (longer, "nonsense", f"{login_id}.soon.{signature}", f"nobody.{expires}.x"):
            with pytest.raises(ResetLinkError, match="not valid"):
                await login_for_token(session, settings, bad)
        with pytest.raises(ResetLinkError, match="not valid"):
            await login_for_token(session, settings, reset_token(elsewhere, login))
        assert (await login_for_token(session, settings, fresh)).id == login.id


async def test_a_short_password_is_refused_and_nothing_changes(
    settings: Settings, sessions: Sessions
) -> None:
    login = await new_login(sessions)
    async with sessions() as session:
        found = await login_for_token(session, settings, reset_token(settings, login))
        with pytest.raises(SignUpError, match="at least"):
            await set_password(session, found, "short")
        await session.commit()
    async with sessions() as session:
        assert await sign_in(session, "ada@example.com", OLD) is not None
        assert len((await session.exec(select(WebSession))).all()) == 1
