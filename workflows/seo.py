"""Search-engine texts for the public template pages: proposed from each page's content, live only
once a person accepts them (an approvals-style review); every proposal and decision is audited.

The proposal engine is offline and deterministic: the title from the template's name and
category, the description from its own description and the connections it needs, keywords from
its tags, category and integrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog, SeoProposal
from storage.types import utcnow
from workflows.catalog import Template

TITLE_MAX, DESCRIPTION_MAX, KEYWORDS_MAX = 60, 155, 10
CONNECTIONS: dict[str, str] = {
    "slack": "Slack",
    "email": "Email",
    "stripe": "Stripe",
    "hubspot": "HubSpot",
    "sheets": "Google Sheets",
    "http": "A web address (HTTP)",
    "ai": "An AI model",
    "rss": "An RSS or Atom feed",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "sms": "SMS",
}
TRIGGERS: dict[str, str] = {
    "email": "Email",
    "stripe": "Stripe",
    "webhook": "A webhook from your app",
    "poll": "An RSS or Atom feed",
}


@dataclass(frozen=True)
class PageTexts:
    """What a public page's head says to search engines."""

    title: str
    description: str
    keywords: list[str]


def connections_needed(template: Template) -> list[str]:
    """The connections (integrations) a template needs, in plain words, in order of first use."""
    needed: list[str] = []
    trigger = template.spec.get("trigger", {})
    if isinstance(trigger, dict) and (said := TRIGGERS.get(str(trigger.get("type")))):
        needed.append(said)
    for step in template.spec.get("steps", []):
        prefix = str(step.get("action", "")).split(".", 1)[0]
        if (said := CONNECTIONS.get(prefix)) and said not in needed:
            needed.append(said)
    return needed


def default_texts(template: Template) -> PageTexts:
    """What a page says until a proposal for it is accepted."""
    return PageTexts(f"{template.name} · Levqor template", template.description, [])


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def propose_texts(template: Template) -> PageTexts:
    """Meta title, description and keywords suggested from the page's content."""
    category = template.category.replace("_", " ").capitalize()
    title = _clip(f"{template.name}: {category.lower()} automation template | Levqor", TITLE_MAX)
    connections = connections_needed(template)
    first = re.split(r"(?<=[.!?])\s", template.description.strip(), maxsplit=1)[0]
    with_what = f" Works with {', '.join(connections)}." if connections else ""
    description = _clip(
        f"{first.rstrip('.')}.{with_what} Set it up in chat, free.", DESCRIPTION_MAX
    )
    keywords: list[str] = []
    for word in [*template.tags, category.lower(), *(c.lower() for c in connections)]:
        word = word.strip().lower().replace("-", " ")
        if word and word not in keywords:
            keywords.append(word)
    keywords.append(f"{template.name.lower()} template")
    return PageTexts(title, description, keywords[:KEYWORDS_MAX])


async def live_texts(session: AsyncSession, template: Template) -> PageTexts:
    """The page's texts: the accepted proposal's, else the defaults."""
    query = (
        select(SeoProposal)
        .where(SeoProposal.template_id == template.id, SeoProposal.status == "accepted")
        .order_by(col(SeoProposal.decided_at).desc())
    )
    accepted = (await session.exec(query)).first()
    if accepted is None:
        return default_texts(template)
    return PageTexts(accepted.title, accepted.description, list(accepted.keywords))


def _audit(
    session: AsyncSession, audit_workspace_id: str | None, actor: str, action: str, p: SeoProposal
) -> None:
    if audit_workspace_id is None:
        return
    detail: dict[str, Any] = {"template": p.template_id, "title": p.title, "proposal": p.id}
    session.add(
        AuditLog(
            workspace_id=audit_workspace_id,
            actor=actor,
            action=action,
            subject=f"/t/{p.template_id}",
            detail=detail,
        )
    )


async def propose(
    session: AsyncSession,
    templates: list[Template],
    *,
    actor: str,
    audit_workspace_id: str | None,
) -> list[SeoProposal]:
    """A pending proposal for each template whose suggested texts are not already pending or
    live (running it again proposes nothing new)."""
    made = []
    for template in templates:
        texts = propose_texts(template)
        query = select(SeoProposal).where(
            SeoProposal.template_id == template.id,
            col(SeoProposal.status).in_(("pending", "accepted")),
        )
        current = (await session.exec(query)).all()
        if any(_same(p, texts) for p in current):
            continue
        for stale in (p for p in current if p.status == "pending"):
            stale.status = "replaced"
            session.add(stale)
        proposal = SeoProposal(
            template_id=template.id,
            title=texts.title,
            description=texts.description,
            keywords=texts.keywords,
            proposed_by=actor,
        )
        session.add(proposal)
        _audit(session, audit_workspace_id, actor, "seo.proposed", proposal)
        made.append(proposal)
    await session.flush()
    return made


def _same(proposal: SeoProposal, texts: PageTexts) -> bool:
    return (proposal.title, proposal.description, list(proposal.keywords)) == (
        texts.title,
        texts.description,
        texts.keywords,
    )


async def pending(session: AsyncSession) -> list[SeoProposal]:
    """Proposals waiting for a person, oldest first."""
    query = (
        select(SeoProposal)
        .where(SeoProposal.status == "pending")
        .order_by(col(SeoProposal.proposed_at))
    )
    return list((await session.exec(query)).all())


async def decide(
    session: AsyncSession,
    proposal_id: str,
    *,
    accept: bool,
    actor: str,
    audit_workspace_id: str | None,
) -> SeoProposal:
    """Accept (it goes live; the page's earlier accepted texts are replaced) or reject."""
    proposal = await session.get(SeoProposal, proposal_id)
    if proposal is None or proposal.status != "pending":
        raise LookupError(f"no pending proposal {proposal_id}")
    if accept:
        live = select(SeoProposal).where(
            SeoProposal.template_id == proposal.template_id, SeoProposal.status == "accepted"
        )
        for earlier in (await session.exec(live)).all():
            earlier.status = "replaced"
            session.add(earlier)
    proposal.status = "accepted" if accept else "rejected"
    proposal.decided_by = actor
    proposal.decided_at = utcnow()
    session.add(proposal)
    action = "seo.accepted" if accept else "seo.rejected"
    _audit(session, audit_workspace_id, actor, action, proposal)
    await session.flush()
    return proposal
