"""An owner's check for drafts that look harmless while the request reads as risky.

The policy classes a workflow by its steps, and the drafter drafts the risky steps it recognises.
When the request is worded in a way it does not recognise ("tidy up slack, deactivate everybody
marked as left", "dump every subscriber into our other account"), the draft can come out class A
or B although what was asked is not. The learned risk model (`agents.learned.risk`) reads the
request; when it says risky and no step is class C, the workflow gets `owner_check`, a sentence
saying why, which makes it class C: an owner confirms it and reads the reason on the card. It
never lowers a class, drops a step or drafts one; a model file that cannot be read leaves the draft
as it is (the rules' class stands).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from agents.learned.model import ModelFileError
from agents.learned.risk import RiskModel, shipped_risk, shipped_vague
from workflows.spec import WorkflowSpec

log = logging.getLogger(__name__)

# What the request's words suggest is at stake, in the order they are said on the card.
_AT_STAKE = (
    (
        r"\b(?:delet|remov|wip|purg|eras|trash|clean\w*\s+up|clear|deactivat|cancel|revok|"
        r"disabl|strip(?!e)|unsubscrib|overwrit|archiv|shut|terminat|kill)\w*",
        "delete, cancel or overwrite things",
    ),
    (
        r"\b(?:pay|paid|refund|transfer|payout|charg|reimburs|wire|deduct|withdraw|money|"
        r"credit|cash|salary|payroll)\w*|[$£€]\s?\d|\b\d+\s?(?:quid|bucks|dollars|euros|pounds)\b",
        "move money",
    ),
    (
        r"\b(?:passwords?|api\s+keys?|keys?\s+(?:to|for)|tokens?|secrets?|credentials?|logins?)\b",
        "handle passwords or keys",
    ),
    (
        r"\b(?:everyone|everybody|all\s+(?:of\s+)?(?:our|the|my)?\s*(?:[\w-]+\s+)?(?:customers|"
        r"contacts|users|subscribers|members|leads|clients|mailboxes|people)|every\s+(?:single\s+)?"
        r"(?:customer|contact|user|subscriber|member|lead|client|mailbox)|mass|blast|bulk)\b",
        "reach a lot of people at once",
    ),
    (
        r"\b(?:export|copy|copies|forward|dump|share|upload|sync|send)\w*\b[^.]{0,60}\b(?:data|list|"
        r"file|details|records|contacts|subscribers|customers|emails?|everything)\b",
        "send our data somewhere else",
    ),
    (
        r"\b(?:fake|made[\s-]up|pretend\w*|posing|pose\s+as|looks?\s+like|in\s+(?:their|his|her)\s+"
        r"name|from\s+their\s+account)\b",
        "speak in someone else's name",
    ),
)


def owner_check_reason(request: str) -> str:
    """The card's sentence: what the request reads as, and what the owner should check."""
    text = request.lower()
    stakes = [words for cue, words in _AT_STAKE if re.search(cue, text)][:2]
    what = " or ".join(stakes) or "do something that is hard to undo"
    return (
        f"An owner checks this one before it runs: the request reads like it could {what}, "
        "and no step here is marked as doing that. Check that the steps do what was meant."
    )


def reads_as_risky(request: str) -> bool:
    """Whether the risk model reads the request as risky (False when it cannot be loaded).
    Labels to sort by are not read ("sort each email (refund, password, other)": kinds of mail,
    not a refund or a password handled)."""
    from agents.planner.text import labels_masked  # the planner package imports this module

    masked = labels_masked(request.lower())
    return _reads(shipped_risk, masked, "risk model unavailable, drafts keep their rules' class")


def reads_as_vague(request: str, *, strict: bool = False) -> bool:
    """Whether the vagueness model reads the request as too vague to draft (same form of model,
    trained on which requests were asked about); with `strict`, at its stricter line (a quarter
    of the false alarms). False when it cannot be loaded."""
    unavailable = "vagueness model unavailable, the rules decide"
    return _reads(shipped_vague, request, unavailable, strict=strict)


def _reads(
    load: Callable[[], RiskModel], request: str, unavailable: str, *, strict: bool = False
) -> bool:
    try:
        model = load()
    except ModelFileError as error:
        log.warning("%s: %s", unavailable, error)
        return False
    line = model.strict_threshold if strict else model.threshold
    return model.probability(request) >= line


def with_owner_check(request: str, spec: WorkflowSpec, approval_class: str | None) -> WorkflowSpec:
    """`spec` with `owner_check` set when the request reads as risky and no step is class C."""
    if approval_class == "C" or spec.owner_check or not reads_as_risky(request):
        return spec
    return spec.model_copy(update={"owner_check": owner_check_reason(request)})
