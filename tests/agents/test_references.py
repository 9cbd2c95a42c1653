"""The pure parts of reference resolution: intents that name a workflow, phrases, choosing."""

from __future__ import annotations

import pytest

from agents.choices import picked
from agents.intents import classify
from agents.mentions import DISCARDED, UNSAVED
from agents.references import Reference, read_reference
from agents.resolve import Ask, Found, choose, labels
from agents.tools.known import Known
from storage.models import WorkflowStatus
from workflows.words import stem

ACTIVE, PENDING, DRAFT = (
    WorkflowStatus.active,
    WorkflowStatus.pending_approval,
    WorkflowStatus.draft,
)
WEEKLY_OLD = Known("w1", "Email me the weekly report", DRAFT, rejected=True)
WEEKLY = Known("w2", "Post the weekly report to #team", PENDING, pending_approval="a2")
INVOICES = Known("w3", "Post the invoice summary to #finance", ACTIVE)
OTHER_WEEKLY = Known("w4", "Weekly report for ops", ACTIVE)


@pytest.mark.parametrize(
    ("text", "kind", "args"),
    [
        ("approve the weekly report", "approve", {"confirm": False, "target": "weekly report"}),
        ("approve it", "approve", {"confirm": False}),
        ("yes approve and confirm", "approve", {"confirm": True}),
        ("reject the invoice one", "reject", {"target": "invoice"}),
        ("bring back the rejected weekly report", "reopen",
         {"target": "rejected weekly report", "revive": True}),
        ("show me the weekly report", "show", {"target": "weekly report"}),
        ("what does the invoice one do?", "show", {"target": "invoice"}),
        ("make the weekly report 8am London time", "revise",
         {"target": "weekly report", "change": "make it 8am london time"}),
        ("help me with my leads", "draft", {}),
        ("help", "help", {}),
        ("every day at 7am post the invoice summary to #finance", "draft", {}),
        ("every Monday at 8am", "revise", {}),
        ("show me what failed this week", "draft", {}),
    ],
)  # fmt: skip
def test_intents_that_name_a_workflow(text: str, kind: str, args: dict[str, object]) -> None:
    intent = classify(text, has_draft=True)
    assert (intent.kind, intent.args) == (kind, args)


def test_phrases_pronouns_parts_and_revival() -> None:
    assert read_reference("it") == Reference("")
    assert read_reference("that") == Reference("") and read_reference("draft") == Reference("")
    assert read_reference("weekly report") == Reference("weekly report")
    assert read_reference("rejected weekly report") == Reference("weekly report", revive=True)
    assert read_reference("channel") is None  # a part of a workflow, not a workflow
    assert [stem(w) for w in ("invoices", "replies", "posting", "sales")] == [
        "invoice", "reply", "post", "sales",
    ]  # fmt: skip


def test_choosing_prefers_explicit_words_then_the_most_recent_mention() -> None:
    known = [WEEKLY_OLD, WEEKLY, INVOICES, OTHER_WEEKLY]
    assert choose(known, [], Reference("invoice")) == Found(INVOICES)
    ambiguous = choose(known, [], Reference("weekly report"))
    assert isinstance(ambiguous, Ask) and ambiguous.options == [WEEKLY, OTHER_WEEKLY]
    assert choose(known, ["w4", "w2"], Reference("weekly report")) == Found(OTHER_WEEKLY)
    assert choose(known, ["w1", "w3"], Reference("")) == Found(INVOICES)  # skips the rejected


def test_a_rejected_or_discarded_draft_only_when_named() -> None:
    known = [WEEKLY_OLD, INVOICES]
    offer = choose(known, ["w1"], Reference("weekly report"))
    assert isinstance(offer, Ask) and offer.suggestions == [
        "Bring back the rejected Email me the weekly report"
    ]
    assert choose(known, [], Reference("weekly report", revive=True)) == Found(WEEKLY_OLD, True)
    exact = choose(known, [], Reference("email me the weekly report"))
    assert exact == Found(WEEKLY_OLD, revived=True)
    gone = Known(DISCARDED, "Daily sales summary", DRAFT, rejected=True)
    unsaved = Known(UNSAVED, "Weekly digest", DRAFT)
    assert choose([gone, unsaved], [UNSAVED], Reference("")) == Found(unsaved)
    assert choose([gone], [], Reference("sales summary", revive=True)) == Found(gone, True)


def test_labels_and_answers() -> None:
    twins = [Known("a", "Weekly report", ACTIVE), Known("b", "Weekly report", PENDING)]
    assert labels(twins) == ["Weekly report (active)", "Weekly report (waiting for approval)"]
    assert labels([INVOICES, WEEKLY]) == [INVOICES.name, WEEKLY.name]
    options = ["Weekly report (active)", "Weekly report (waiting for approval)"]
    assert picked("2", options) == 1 and picked("#1", options) == 0
    assert picked("weekly report (active).", options) == 0
    assert picked("3", options) is None and picked("the other one", options) is None
