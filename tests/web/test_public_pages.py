"""The public template gallery: valid pages with the right head tags, sitemap, robots, and SEO
texts that go live only once accepted (audited)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from accounts.workspaces import ensure_default
from storage.models import AuditLog
from tests.bot.test_cli import env, levqor
from tests.web.conftest import PASSWORD, Web, csrf_of
from tests.web.html_check import check
from tests.web.test_team import Sessions
from workflows import seo
from workflows.catalog import TemplateCatalog

__all__ = ["env"]
TEMPLATE = "weekly-analytics-report"


async def test_every_template_has_a_valid_public_page(web: Web) -> None:
    listed = TemplateCatalog.load().list()
    assert len(listed) > 5
    async with web.client() as visitor:  # no sign-in
        for template in listed:
            response = await visitor.get(f"/t/{template.id}")
            assert response.status_code == 200, template.id
            page = check(response.text)
            assert page.problems == [], (template.id, page.problems)
            assert page.h1 == [template.name]
            assert page.title == f"{template.name} · Levqor template"
            assert page.meta["description"] == template.description
            assert page.links["canonical"] == f"{web.settings.public_url}/t/{template.id}"
            assert page.meta["og:title"] == page.title
            assert ("Use this template", f"/signup?next=/templates/{template.id}") in page.anchors
            assert "Connections it needs" in response.text
        gallery = await visitor.get("/t")
        assert gallery.status_code == 200 and check(gallery.text).problems == []
        assert (await visitor.get("/t/no-such-template")).status_code == 404


async def test_a_page_names_the_connections_its_template_needs(web: Web) -> None:
    async with web.client() as visitor:
        html = (await visitor.get("/t/lead-capture-crm")).text
    needs = html.split("Connections it needs", 1)[1].split("</section>", 1)[0]
    assert "Slack" in needs and "webhook" in needs.lower()


async def test_use_this_template_signs_up_with_the_template_chosen(web: Web) -> None:
    async with web.client() as visitor:
        form = await visitor.get(f"/signup?next=/templates/{TEMPLATE}")
        assert f'value="/templates/{TEMPLATE}"' in form.text
        signed = await visitor.post(
            "/signup",
            data={
                "csrf_token": csrf_of(form.text),
                "workspace": "Acme Ops",
                "name": "Olivia",
                "email": "olivia@acme.example",
                "password": PASSWORD,
                "next": f"/templates/{TEMPLATE}",
            },
        )
        assert signed.headers["location"] == f"/templates/{TEMPLATE}"
        chosen = await visitor.get(signed.headers["location"])
        assert chosen.status_code == 200 and "Create draft" in chosen.text


async def test_sitemap_and_robots(web: Web) -> None:
    async with web.client() as visitor:
        sitemap = await visitor.get("/sitemap.xml")
        robots = await visitor.get("/robots.txt")
    assert sitemap.headers["content-type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.text)
    base = web.settings.public_url
    assert {f"{base}/t/{t.id}" for t in TemplateCatalog.load().list()} <= set(locs)
    assert sitemap.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    lines = robots.text.splitlines()
    assert "Allow: /t/" in lines and "Disallow: /api/" in lines
    assert f"Sitemap: {base}/sitemap.xml" in lines


async def test_a_proposal_is_not_public_until_accepted(web: Web, sessions: Sessions) -> None:
    template = TemplateCatalog.load().get(TEMPLATE)
    async with sessions() as session:
        ws = await ensure_default(session)
        [proposal] = await seo.propose(
            session, [template], actor="cli:ops", audit_workspace_id=ws.id
        )
        await session.commit()
        assert (
            await seo.propose(session, [template], actor="cli:ops", audit_workspace_id=ws.id) == []
        )
    assert len(proposal.title) <= seo.TITLE_MAX and len(proposal.description) <= seo.DESCRIPTION_MAX
    async with web.client() as visitor:
        before = check((await visitor.get(f"/t/{TEMPLATE}")).text)
        assert before.title == f"{template.name} · Levqor template"  # pending: not live
        assert "keywords" not in before.meta
        async with sessions() as session:
            await seo.decide(
                session, proposal.id, accept=True, actor="cli:ops", audit_workspace_id=ws.id
            )
            await session.commit()
        after = check((await visitor.get(f"/t/{TEMPLATE}")).text)
    assert after.problems == []
    assert after.title == proposal.title and after.meta["description"] == proposal.description
    assert after.meta["keywords"] == ", ".join(proposal.keywords)
    async with sessions() as session:
        audit = (await session.exec(select(AuditLog).order_by(AuditLog.id))).all()  # type: ignore[arg-type]
    assert [(a.action, a.actor, a.subject) for a in audit] == [
        ("seo.proposed", "cli:ops", f"/t/{TEMPLATE}"),
        ("seo.accepted", "cli:ops", f"/t/{TEMPLATE}"),
    ]


@pytest.mark.usefixtures("env")
def test_seo_commands_propose_then_review(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0
    code, out = levqor("seo", "propose", "--template", TEMPLATE)
    assert code == 0 and "1 new proposals" in out
    code, out = levqor("seo", "review")
    assert code == 0 and f"/t/{TEMPLATE}" in out and "title:" in out
    proposal_id = out.split()[0]
    code, out = levqor("seo", "review", "--accept", proposal_id)
    assert code == 0 and "Accepted" in out
    code, out = levqor("seo", "review")
    assert "Nothing waits for review." in out
    assert levqor("seo", "review", "--reject", proposal_id)[0] != 0  # already decided
    assert levqor("seo", "propose", "--template", "nope")[0] != 0
