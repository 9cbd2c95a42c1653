"""Decisions that stay with a client workspace's own owner, never its agency.

Agency staff act in a linked client workspace with their agency role (`accounts.acting`), but
deleting the client's workspace and exporting all of its data are the client owner's decisions:
staff acting there are refused with a sentence and a machine-readable reason. The agency's own
way out is to unlink the client from its Clients page (`accounts.agencies.unlink`).
"""

from __future__ import annotations

from typing import Literal

from storage.models import Member, Workspace

Decision = Literal["delete", "export"]
REASONS: dict[Decision, str] = {
    "delete": "agency_cannot_delete_client",
    "export": "agency_cannot_export_client",
}


class ClientOwnersOnly(Exception):
    """An agency member tried a client owner's decision; the message is safe to show."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def sentence(decision: Decision, name: str) -> str:
    """Why agency staff cannot take the client owner's decision, and what they can do."""
    if decision == "delete":
        return (
            f"Only {name}'s own owner can delete {name}: agency staff working in a client "
            f"workspace cannot. To stop working for {name}, unlink it on your agency's Clients "
            "page (/clients)."
        )
    return (
        f"Only {name}'s own owner can export all of {name}'s data: agency staff working in a "
        "client workspace cannot."
    )


def require_own_workspace(decision: Decision, workspace: Workspace, member: Member) -> None:
    """Refuse (ClientOwnersOnly) unless `member` belongs to `workspace` itself."""
    if member.workspace_id != workspace.id:
        raise ClientOwnersOnly(REASONS[decision], sentence(decision, workspace.name))
