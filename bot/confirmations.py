"""After a lone owner typed their class C workflow's name: email the link, say so in words.

Shared by the REST API, the web approvals page and Slack, which all commit the decision first.
"""

from __future__ import annotations

from accounts.approval_mail import email_approval_link
from storage.models import Workspace
from workflows.approval_links import LINK_MINUTES, link_url
from workflows.errors import Conflict
from workflows.runtime import Runtime
from workflows.service import Proposal


async def email_confirmation(runtime: Runtime, workspace: Workspace, proposal: Proposal) -> str:
    """Email the proposal's confirmation link; what to tell the member (Conflict if it failed)."""
    issued = proposal.confirmation
    assert issued is not None
    name = str(proposal.version.spec.get("name", proposal.workflow.name))
    sent = await email_approval_link(
        runtime.settings,
        runtime.sessions,
        runtime.http,
        workspace,
        to=issued.email,
        link=link_url(runtime.settings.public_url, issued.token),
        key=f"approval-link:{issued.link_id}",
        minutes=LINK_MINUTES,
        name=name,
        reasons=list(proposal.approval.reasons),
    )
    if sent.delivered != "email":
        raise Conflict(
            f"we could not email your confirmation link ({sent.problem or 'not sent'}); "
            "ask another owner or admin to approve “" + name + "” instead"
        )
    return (
        f"We emailed {issued.email} a link to finish approving “{name}”. "
        f"It works once, for {LINK_MINUTES} minutes."
    )
