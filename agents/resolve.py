"""Which workflow a message means, given what this conversation talked about.

Explicit words first (the `workflows.lookup` rules); among several matches the most recently
mentioned wins; a pronoun means the most recent mention. A rejected or discarded draft is left out
unless the person asks for it by its exact name or with "the rejected …" / "bring back …".
Still ambiguous: one short question with the candidates as choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.mentions import DISCARDED, UNSAVED, unsaved
from agents.references import Reference, is_exact
from agents.state import State
from agents.tools.known import Known, known_workflows
from storage.models import WorkflowStatus
from workflows.lookup import rank_matches
from workflows.runtime import Runtime

ASKED = 5
STATUS_WORDS = {
    WorkflowStatus.draft: "draft",
    WorkflowStatus.pending_approval: "waiting for approval",
    WorkflowStatus.active: "active",
    WorkflowStatus.paused: "paused",
    WorkflowStatus.archived: "archived",
}


@dataclass(frozen=True)
class Found:
    """The one workflow meant; `revived` when it is a rejected draft asked for explicitly."""

    target: Known
    revived: bool = False


@dataclass(frozen=True)
class Ask:
    """No single workflow: a question, the candidates to pick from, or plain suggestions."""

    question: str
    options: list[Known] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


def in_chat(state: State) -> list[Known]:
    """The conversation's own drafts not stored yet: the working copy and the discarded one."""
    found = []
    draft, discarded = state.get("draft"), state.get("discarded")
    if draft and unsaved(state) and not state.get("draft_workflow_id"):
        name, about = str(draft.get("name", "the draft")), str(draft.get("description") or "")
        found.append(Known(UNSAVED, name, WorkflowStatus.draft, about=about))
    if discarded:
        name = str(discarded.get("name", "the discarded draft"))
        about = str(discarded.get("description") or "")
        found.append(Known(DISCARDED, name, WorkflowStatus.draft, rejected=True, about=about))
    return found


async def resolve(
    runtime: Runtime, workspace_id: str, state: State, reference: Reference
) -> Found | Ask:
    """Resolve `reference` against the workspace's workflows and this conversation."""
    known = in_chat(state) + await known_workflows(runtime, workspace_id)
    return choose(known, state.get("mentions", []), reference)


def choose(known: list[Known], mentions: list[str], reference: Reference) -> Found | Ask:
    """The pure part of `resolve`: pick among `known` by the reference and the mentions."""
    eligible = [k for k in known if not k.rejected]
    if reference.pronoun:
        return _most_recent(eligible, mentions)
    phrase = reference.phrase
    rejected = rank_matches([k for k in known if k.rejected], phrase)
    explicit = reference.revive or any(is_exact(phrase, k.name, k.id) for k in rejected)
    found = [] if reference.revive and rejected else rank_matches(eligible, phrase)
    if found:
        return _pick(found, mentions)
    if rejected and explicit:
        picked = _pick(rejected, mentions)
        return Found(picked.target, revived=True) if isinstance(picked, Found) else picked
    if rejected:
        name = rejected[0].name
        return Ask(
            f"{name} was rejected, so I won't act on it unless you ask for it by name.",
            suggestions=[f"Bring back the rejected {name}"],
        )
    return Ask(f"I can't find a workflow called “{phrase}”. Say “list my workflows” to see them.")


def _most_recent(eligible: list[Known], mentions: list[str]) -> Found | Ask:
    by_id = {k.id: k for k in eligible}
    for ref in mentions:
        if ref in by_id:
            return Found(by_id[ref])
    live = [k for k in eligible if k.status != WorkflowStatus.archived]
    if len(live) == 1:
        return Found(live[0])
    if not live:
        return Ask("There is no workflow yet. Tell me what to automate.")
    return Ask("Which workflow do you mean?", live[:ASKED])


def _pick(found: list[Known], mentions: list[str]) -> Found | Ask:
    if len(found) == 1:
        return Found(found[0])
    ids = {k.id for k in found}
    for ref in mentions:
        if ref in ids:
            return Found(next(k for k in found if k.id == ref))
    return Ask("Which one do you mean?", found[:ASKED])


def labels(options: list[Known]) -> list[str]:
    """One distinct plain-words label per option (the status added where names repeat)."""
    names = [k.name for k in options]
    out = [
        k.name if names.count(k.name) == 1 else f"{k.name} ({STATUS_WORDS[k.status]})"
        for k in options
    ]
    return [
        label if out.count(label) == 1 else f"{label} #{out[: i + 1].count(label)}"
        for i, label in enumerate(out)
    ]
