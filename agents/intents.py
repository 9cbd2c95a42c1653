"""What the person asked for, read offline and deterministically (no model involved)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from agents.planner.guard import refusal
from agents.planner.text import normalise

IntentKind = Literal[
    "help", "refuse", "approve", "reject", "list", "run", "pause", "resume", "archive",
    "delete", "templates", "use_template", "health", "failures", "leads", "last_run",
    "revise", "draft", "reopen", "show", "billing",
]  # fmt: skip

_SHORT_WORDS = 8
_APPROVE = (
    r"^(?:yes|yep|yeah|y|ok|okay|sure|approved?|approve\s+it|i\s+approve|lgtm|looks\s+(?:good|great|"
    r"fine)|go\s+ahead|ship\s+it|do\s+it|submit(?:\s+it)?|send\s+it\s+(?:for|to)\s+approval|"
    r"confirm(?:ed)?|i\s+confirm|sounds\s+good|perfect|great)\b"
)
_REJECT = (
    r"^(?:no|nope|n|reject(?:ed)?|decline|cancel|discard|scrap\s+it|never\s*mind|"
    r"forget\s+it)\b"
)
_CONFIRM = r"\bconfirm(?:ed)?\b|\bi'?m\s+sure\b"
_APPROVE_WHAT = r"\b(?:approve|submit)\s+(.+)$"
_REJECT_WHAT = r"^(?:please\s+)?(?:reject|decline|discard|scrap)\s+(.+)$"
_NOT_A_NAME = r"\b(?:it|and|confirm(?:ed)?|please|now|for|approval|i|am|sure|too)\b"
_REOPEN = (
    r"^(?:please\s+)?(?:bring\s+back|reopen|re-open|restore|revive|un-?reject|"
    r"undo\s+(?:the\s+)?reject(?:ion|ing)?(?:\s+of)?)\s+(.+)$"
)
_SHOW = (
    r"^(?:please\s+)?(?:show|open|display|view|describe)\s+(?:me\s+)?"
    r"(?!(?:me\s+)?(?:what|how|which|why|all|every)\b)"
    r"(.+)$|^what\s+does\s+(.+?)\s+do\??$"
)
_PAGES = (
    r"(?:me\s+)?(?:the\s+|my\s+|our\s+)?(?:runs?|templates?|approvals?|analytics|health|"
    r"failures|errors|logs?|settings|dashboard|editor|team|stats)\W*"
)
_AIMED_REVISION = (
    r"^(?:please\s+)?(make|change|move|switch|set|update|edit|reschedule|shift)\s+"
    r"((?:the|my|our|that|this)\s+[\w' -]+?|it|that|this)\s+"
    r"((?:to|at|run|go|post|send|be|on|only|in|into|every|each|daily|weekly|monthly|weekdays?|"
    r"noon|midnight|\d|#).*)$"
)
# "help me with my leads" is a (vague) request for the drafter, not a question about Levqor.
_HELP = (
    r"^(?:help(?:\s+me)?|\?|commands)\W*$|^(?:what\s+can\s+you\s+do|how\s+does\s+this\s+work|"
    r"help\s+(?:please|pls)\b)"
)
# Levqor's own plan and usage — never a workflow; a customer's Stripe plan is still drafted.
_PLAN_NAMES = r"(?:launch|growth|scale|agency)"
_BILLING_CHANGE = (
    r"\b(?:upgrade|downgrade|change|switch|move)\b[^.?]{0,20}\b(?:my|our|the)\s+levqor\s+"
    r"(?:plan|subscription|account)\b|\b(?:upgrade|downgrade|change|switch)\s+(?:my|our)\s+"
    r"(?:plan|subscription)\b(?![^.?]*\b(?:customers?|clients?|stripe)\b)|"
    rf"\b(?:upgrade|downgrade|switch|move)\s+(?:us\s+|me\s+)?to\s+(?:the\s+)?{_PLAN_NAMES}\b|"
    r"\bcancel\s+(?:my|our)\s+levqor\b"
)
_BILLING_ASK = (
    r"\b(?:what|which)\s+(?:levqor\s+)?plan\s+(?:am\s+i|are\s+we|is\s+this)\b|"
    r"\bhow\s+much\s+(?:have\s+)?(?:i|we)\s+(?:have\s+)?used\b|\bmy\s+(?:levqor\s+)?usage\b|"
    r"\b(?:our|my)\s+levqor\s+(?:plan|subscription|bill|billing)\b|"
    r"\bhow\s+(?:many|much)\b[^.?]{0,20}\b(?:runs?|drafts?)\b[^.?]{0,15}\b(?:left|remaining)\b|"
    r"\b(?:my|our|the\s+free|levqor)\s+trial\b"
)
_LIST = (
    r"\b(?:list|show|what\s+are|which\s+are|see)\b[^.?]{0,30}\bworkflows?\b|"
    r"^(?:my\s+)?workflows\??$"
)
_RUN = (
    r"^(?:please\s+)?(?:run|trigger|start|kick\s+off|test)\b(?!.*\bevery\b)|"
    r"\brun\s+it\b|\brun\b[^.]{0,40}\bnow\b"
)
_VERB = (
    r"^(?:please\s+)?(pause|stop|suspend|resume|unpause|restart|archive|delete|remove)\b"
    r"\s*(.*)$"
)
_VERBS = {
    "pause": "pause", "stop": "pause", "suspend": "pause", "resume": "resume",
    "unpause": "resume", "restart": "resume", "archive": "archive", "delete": "delete",
    "remove": "delete",
}  # fmt: skip
_TEMPLATES = r"\btemplates?\b"
_USE = (
    r"^(?:please\s+)?(?:use|start\s+(?:from|with)|try|pick|install)\s+(?:the\s+|a\s+)?"
    r"(.+?)(?:\s+template)?[.!]?$"
)
_LAST_RUN = (
    r"\bhow\s+did\s+(?:it|that|the\s+run)\s+go\b|\b(?:last|latest)\s+run\b|"
    r"\bdid\s+it\s+work\b"
)
_FAILURES = (
    r"\b(?:what|which|anything|something)\b[^.?]{0,30}\bfail|\bfailures?\b|\berrors?\b|"
    r"\bwhy\b[^.?]{0,30}\bfail"
)
_LEADS = (
    r"\bhow\s+many\b[^.?]{0,30}\b(?:leads?|contacts?|sign-?ups?)\b|"
    r"\b(?:leads?|contacts?)\b[^.?]{0,20}\bcame\s+in\b"
)
_HEALTH = (
    r"\bhow\s+(?:are|is)\b[^.?]{0,30}\b(?:workflows?|automations?|things|everything)\b[^.?]{0,10}"
    r"\b(?:doing|going|running)|\bhealth\b|\bstatus\b|\bsuccess\s+rate\b|\banalytics\b|\bstats\b"
)
_NEW_ACTION = (
    r"\b(?:post|send|email|add|create|notify|remind|log|sync|save|forward|copy|build|collect|"
    r"track)\s+(?:me\s+|us\s+)?(?:a|an|the|our|my|new|each|every|all|last|this|today'?s?)\b"
)
_CHANGE = r"\b(?:it|instead|also|too|rather|as\s+well|change|only|make|but|not)\b"
# A web address given for the draft ("the helpdesk address is https://…", "use
# https://api.acme.io/tickets for it", "it's at https://…"), or a message that is only one.
_ADDRESS_GIVEN = (
    r"\b(?:address|url|endpoint|api|webhook|lives\s+at|is\s+at|it'?s\s+at|use|call|post\s+to)\b"
    r"[^.]{0,60}?https?://\S+|^\W*https?://\S+\W*$"
    # "the url is git.acme.io/api", "the address is not-a-url": said last, with a dot, dash,
    # slash, colon or digit in it (not "… when the address is updated")
    r"|\b(?:address|url|endpoint)\s+(?:is|=|:|should\s+be|will\s+be)\s+[\"'“\u2018]?"
    r"[^\s\"'”\u2019]*[./:\d_-][^\s\"'”\u2019]*[\"'”\u2019]?\W*$"
)
_REVISION_CUES = (
    r"^(?:make\s+it|also|only|change|instead|but|actually|move\s+it|switch|set\s+it|use\s+#|"
    r"send\s+it|post\s+it|put\s+it|email\s+me|and\s+|plus|rather|not\s+|drop|remove\s+the|"
    r"at\s+\d|on\s+(?:mon|tue|wed|thu|fri|sat|sun)|every\s+(?:mon|tue|wed|thu|fri|sat|sun|day|"
    r"weekday)|in\s+[a-z ]+\s+time|[a-z ]+\s+time$)|\binstead\b|\b\w+\s+time\b$"
)


@dataclass(frozen=True)
class Intent:
    """One reading of a message: what kind of request, plus what it names."""

    kind: IntentKind
    args: dict[str, Any] = field(default_factory=dict)


def classify(text: str, *, has_draft: bool = False) -> Intent:
    """Read one message; with a draft in progress, change-like messages are revisions."""
    t = normalise(text).strip()
    words = len(t.split())
    reason = refusal(t)
    if reason:
        return Intent("refuse", {"reason": reason})
    if re.search(_HELP, t):
        return Intent("help")
    if re.search(_BILLING_CHANGE, t):
        plan = re.search(rf"\bto\s+(?:the\s+)?({_PLAN_NAMES})\b", t)
        return Intent("billing", {"change": True, "plan": plan.group(1) if plan else None})
    if re.search(_BILLING_ASK, t):
        return Intent("billing", {"change": False})
    if words <= _SHORT_WORDS and re.search(_APPROVE, t):
        named = _named(re.search(_APPROVE_WHAT, t))
        return Intent("approve", {"confirm": bool(re.search(_CONFIRM, t)), **named})
    if words <= _SHORT_WORDS and re.search(_REJECT, t):
        return Intent("reject", _named(re.search(_REJECT_WHAT, t)))
    reopen = re.search(_REOPEN, t)
    if reopen:
        return Intent("reopen", {"target": _target(reopen.group(1)), "revive": True})
    verb = re.search(_VERB, t)
    if verb and _names_a_workflow(verb.group(2)):
        return Intent(_VERBS[verb.group(1)], {"target": _target(verb.group(2))})  # type: ignore[arg-type]
    if has_draft and re.search(_ADDRESS_GIVEN, t) and len(t.split()) <= _SHORT_WORDS + 10:
        return Intent("revise")  # "the helpdesk address is https://…": fills in a stand-in
    if _asks_for_automation(text, t):
        return Intent("draft")  # "every 90 minutes check … and text me": to draft, not a question
    if re.search(_LAST_RUN, t):
        return Intent("last_run")
    if re.search(_LEADS, t):
        return Intent("leads", {"days": period_days(t)})
    if re.search(_FAILURES, t) and ("?" in text or re.search(r"^(?:what|which|why|any)\b", t)):
        return Intent("failures", {"days": period_days(t)})
    if re.search(_HEALTH, t):
        return Intent("health", {"days": period_days(t)})
    if re.search(_LIST, t):
        return Intent("list")
    use = re.search(_USE, t)
    if use and not re.search(r"\bevery\b|\bwhen\b", t):
        return Intent("use_template", {"query": use.group(1)})
    if re.search(_TEMPLATES, t):
        return Intent("templates", {"query": _template_query(t)})
    show = re.search(_SHOW, t)
    shown = (show.group(1) or show.group(2) or "") if show else ""
    if show and _names_a_workflow(shown) and not re.fullmatch(_PAGES, shown):
        return Intent("show", {"target": _target(show.group(1) or show.group(2))})
    if re.search(_RUN, t) and words <= _SHORT_WORDS + 4:
        return Intent("run", {"target": _target(re.sub(r"^.*?\brun\b|\bnow\b", " ", t))})
    aimed = re.search(_AIMED_REVISION, t)
    if aimed:
        change = f"{aimed.group(1)} it {aimed.group(3)}"
        return Intent("revise", {"target": _target(aimed.group(2)), "change": change})
    if has_draft and re.search(_REVISION_CUES, t) and not _new_request(t, words):
        return Intent("revise")
    return Intent("draft")


# When it should happen: a schedule or an event.
_WHEN = (
    r"\b(?:every|each)\s+(?:\d+\s+)?(?:other\s+)?(?:minutes?|hours?|days?|weeks?|months?|morning|"
    r"evening|night|mon|tue|wed|thu|fri|sat|sun|weekday|business\s+day)\w*|\b(?:daily|hourly|"
    r"weekly|monthly|nightly|twice\s+a\s+day)\b|\b(?:when|whenever|once|as\s+soon\s+as)\s+"
    r"(?:a|an|the|someone|somebody|anyone|our|my|it|they|new)\b|\bon\s+the\s+(?:first|last|\d)"
)
# Something to do, said as an instruction.
_DO = (
    r"\b(?:check|post|send|email|e-mail|text|alert|notify|tell|remind|monitor|watch|ping|add|"
    r"create|log|save|sync|forward|copy|build|collect|track|message|warn|let\s+\w+\s+know|"
    r"update|delete|move|reply|thank|welcome|export|backup|back\s+up|run)\b"
)
_QUESTION = r"^(?:how|what|which|why|did|does|do|is|are|was|were|has|have|any|show|list)\b"


def _asks_for_automation(text: str, t: str) -> bool:
    """An instruction with a schedule or an event ("every hour check X and alert me if down"),
    as opposed to a question about how the workflows are doing."""
    if "?" in text or re.search(_QUESTION, t):
        return False
    return bool(re.search(_WHEN, t)) and bool(re.search(_DO, t))


def _new_request(t: str, words: int) -> bool:
    """A whole request of its own ("every day at 7am post the invoice summary to #finance"),
    not a change to the draft ("every day at 7am", "also post it to #ops")."""
    return (
        words >= _SHORT_WORDS - 1 and bool(re.search(_NEW_ACTION, t)) and not re.search(_CHANGE, t)
    )


def period_days(text: str) -> int:
    """How many days back a question looks ("today" 1, "this week" 7, "this month" 30)."""
    if re.search(r"\btoday\b|\b24\s*h|\byesterday\b|\blast\s+day\b", text):
        return 1
    if re.search(r"\bmonth\b|\b30\s+days\b", text):
        return 30
    days = re.search(r"\b(?:last|past)\s+(\d{1,3})\s+days\b", text)
    return int(days.group(1)) if days else 7


def _names_a_workflow(rest: str) -> bool:
    if re.search(r"^(?:it|that|this|them)\b|\bworkflows?\b|\bautomations?\b", rest):
        return True
    short = bool(rest) and len(rest.split()) <= 5
    return short and not re.search(r"\b(?:every|when|contacts?|data|records?|rows?)\b", rest)


def _named(found: re.Match[str] | None) -> dict[str, str]:
    """{"target": …} when an approve/reject names something beyond "it" (else nothing)."""
    if not found:
        return {}
    rest = _target(re.sub(_NOT_A_NAME, " ", found.group(1)))
    return {"target": rest} if rest and rest not in ("that", "this", "them") else {}


def _target(rest: str) -> str:
    cleaned = re.sub(r"\b(?:the|my|our|workflow|automation|please|one|now)\b", " ", rest)
    cleaned = re.sub(r"[^\w#@ -]", " ", cleaned)
    return " ".join(cleaned.split())


def _template_query(text: str) -> str:
    cleaned = re.sub(
        r"\b(?:show|me|list|what|which|are|the|some|any|templates?|do|you|have|for|of|a|an|"
        r"please|browse|available|there|can|i|see|get|give|all)\b",
        " ",
        text,
    )
    return " ".join(re.sub(r"[^\w -]", " ", cleaned).split())
