"""Referral links: a visit is counted, a sign-up through it is attributed, the panel shows it."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, Web, csrf_of, sign_up_client


async def _figures(client: object) -> dict[str, int]:
    html = (await client.get("/growth")).text  # type: ignore[attr-defined]
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html)
    return {name: int(value) for name, value in pairs}


async def test_a_sign_up_through_the_link_is_attributed(web: Web) -> None:
    referrer = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    page = (await referrer.get("/growth")).text
    link = re.search(r'id="ref-link" value="([^"]+)"', page)
    assert link is not None and link.group(1).startswith(f"{web.settings.public_url}/r/")
    path = link.group(1).removeprefix(web.settings.public_url)
    assert await _figures(referrer) == {
        "Clicks": 0, "Sign-ups": 0, "Paying referrals": 0, "Rewards": 0
    }  # fmt: skip

    async with web.client() as visitor:
        landed = await visitor.get(path)
        assert landed.status_code == 303 and landed.headers["location"] == "/signup"
        form = await visitor.get("/signup")
        signed = await visitor.post(
            "/signup",
            data={
                "csrf_token": csrf_of(form.text),
                "workspace": "Beta Co",
                "name": "Ben",
                "email": "ben@beta.example",
                "password": PASSWORD,
            },
        )
        assert signed.status_code == 303
    async with web.client() as stranger:
        assert (await stranger.get("/r/unknown-code")).headers["location"] == "/signup"
        assert "levqor_ref" not in stranger.cookies

    figures = await _figures(referrer)
    assert figures["Clicks"] == 1 and figures["Sign-ups"] == 1
    # Following your own link does not count as a referral.
    await referrer.get(path)
    assert (await _figures(referrer))["Sign-ups"] == 1
    await referrer.aclose()
