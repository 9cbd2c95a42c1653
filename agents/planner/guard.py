"""Refuse and clarify rules: what the planner will not draft, and what it must ask first."""

from __future__ import annotations

import re
from typing import Any

from agents.planner import risk_cues
from agents.planner.recipes_pages import which_page
from agents.planner.recipients import PEOPLE, STAFF
from agents.planner.records import picks_unsaid_contacts
from agents.planner.risk_cues import skips_checks
from agents.planner.steps import writes_over_http
from agents.planner.text import has, labels_masked, sync_meetings_masked
from agents.planner.when.foreign import looks_foreign

_SKIP_APPROVAL = (
    r"\b(?:skip|bypass|skipping|bypassing|avoid|without|no\s+need\s+(?:for|to)|don't\s+(?:need|"
    r"bother\s+with|wait\s+for|ask\s+for)|ignore|disable|turn\s+off|auto-?)\s*"
    r"(?:the\s+|any\s+|an\s+|that\s+|this\s+|those\s+|our\s+|my\s+|every\s+)?"
    r"(?:approv\w*|sign-?off|review\s+(?:step|queue|stage|process)|confirmation)|"
    # "skip the paypal approval screen", "disable the manager sign-off"
    r"\b(?:skip|bypass|skipping|bypassing|ignore|disable|turn\s+off)\s+(?:the\s+|any\s+|our\s+|my\s+|"
    r"that\s+|this\s+)?[\w-]+\s+(?:approv\w*|sign-?off|confirmation)|"
    # "stop making me approve it", "quit asking us to confirm"
    r"\b(?:stop|quit)\s+(?:making|asking|getting)\s+(?:me|us|anyone)\s+(?:to\s+)?"
    r"(?:approv|confirm|sign)\w*|"
    r"\bskip\w*\s+(?:the\s+|any\s+|our\s+)?review\b|\bskip\w*\s+(?:the\s+|any\s+)?[\w-]+\s+and\s+(?:the\s+)?"
    r"approv\w*|"
    # "dont route it to me for approval"
    r"\b(?:don'?t|do\s+not|never)\s+(?:route|send|pass|forward|bring|run)\s+(?:it|them|this|these)\s+"
    r"(?:to|by|past)\s+(?:me|us|anyone)\s+(?:for\s+)?(?:approv\w*|sign-?off|review)|"
    r"\b(?:already|pre-?)\s*approved\b|\bno\s+need\s+to\s+(?:approve|confirm|ask)\b|"
    r"\bapprove\s+(?:it\s+)?(?:yourself|automatically)\b|\bauto-?approve\b|"
    r"\bdon't\s+(?:ask|make)\s+(?:anyone|anybody|me|them)\s+(?:to\s+)?approve\b|"
    # "no need to bother me with approvals", "don't bother us with the approval"
    r"\b(?:no\s+need\s+to|don'?t|do\s+not)\s+bother\s+(?:me|us|anyone)\s+with\s+(?:the\s+|any\s+)?"
    r"(?:approv\w*|sign-?off|confirmation|review)|"
    # "do NOT put a confirmation step in front of me", "don't bother making me a review list"
    r"\b(?:don'?t|do\s+not|never)\s+(?:bother\s+)?(?:put|putting|add|adding|make|making|give|"
    r"giving|show|showing|send|sending)\s+(?:me\s+)?(?:a\s+|an\s+|any\s+)?(?:confirmation|"
    r"approval|review|sign-?off)\b|"
    # "i don't want to approve anything, ever", "without me having to confirm"
    r"\b(?:don'?t|do\s+not|never)\s+(?:want|need|have)\s+to\s+(?:approve|confirm|sign\s+off)\b|"
    r"\bwithout\s+(?:me|us|anyone|anybody|a\s+human|a\s+person)\s+(?:having\s+to\s+)?"
    r"(?:approv|confirm|sign)\w*|"
    # "just turn on whatever automations you build without asking me to approve them"
    r"\bwithout\s+asking\s+(?:me|us|anyone|anybody)\s+(?:to\s+(?:approve|confirm|sign\s+off)|first|"
    r"for\s+(?:approval|permission|a\s+yes))\b|\bno\s+(?:human|person|one)\s+in\s+the\s+loop\b|"
    # "remove the manual approval step from our deploys", "nobody should have to click approve"
    r"\b(?:remove|removes|removing|drop|get\s+rid\s+of|take\s+out|switch\s+off)\s+(?:the\s+|our\s+|"
    r"all\s+|any\s+)?(?:\w+\s+){0,2}?(?:approvals?|approval\s+(?:steps?|gates?|checks?)|sign-?offs?|"
    r"review\s+steps?)\b|"
    # "dont put this automation through approval, just turn it on"
    r"\b(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:put|run|pass|send|take|push)\s+(?:it|this|that|"
    r"them|these|those|the|any)\s*(?:[\w-]+\s+){0,2}?through\s+(?:the\s+|an?\s+|any\s+)?(?:approv\w*|"
    r"sign-?off|review)|"
    # "no need to wait for me or anyone to approve it"
    r"\b(?:no\s+need\s+to|don'?t|do\s+not|never)\s+wait\s+for\s+(?:me|us|anyone|anybody|someone|"
    r"a\s+human|a\s+person)(?:\s+or\s+(?:anyone|anybody|someone)(?:\s+else)?)?\s+to\s+(?:approve|"
    r"confirm|sign\s+off|review)\b|"
    r"\b(?:nobody|no\s+one|no-one)\s+(?:should|has\s+to|needs\s+to|must)\s+(?:have\s+to\s+)?"
    r"(?:click\s+)?(?:approve|confirm|sign\s+off)\b"
)
_SECRET = (
    r"\b(?:api[\s_-]*keys?|secret\s+keys?|secrets?|credentials?|passwords?|access\s+tokens?|"
    r"tokens?|private\s+keys?|ssh\s+keys?|(?<!\d\s)(?<!reorder\s)keys|key(?=\s+rotation)|log-?in\s+details|"
    r"restricted\s+keys?|(?:secret\s+)?access\s+keys?|"
    r"logins?(?!\s+(?:links?|pages?|urls?|buttons?|screens?|forms?|e-?mails?|instructions))|"
    r"env\s+files?|environment\s+variables|(?:master|admin|root|signing|encryption|"
    r"the\s+new|rotated)\s+keys?|(?:license|licence)\s+keys?(?!\s+(?:stock|inventory|supply|pool|"
    r"counts?|levels?)))\b|(?<![\w.])\.env\b|\bkeys?\b(?=[^.]{0,40}\brotat)|"
    r"(?<=\brotate\s)(?:[\w-]+\s+){0,3}?keys?\b|"
    r"\b(?:openai|stripe|aws|github|twilio|sendgrid|mailgun|shopify|google|slack|hubspot|backup|"
    r"prod|production|live|test)\s+keys?\b"
)
_EXFIL = (  # verbs as words: "mailgun" and "postmark" are no sending
    r"\b(?:email|e-mail|send|mail|forward|post|share|paste|dm|text|give|reveal|show|print|"
    r"export|dump|list|tell|sent|gave|shown|told)(?:s|es|d|ed|ing|ted|ting|ped|ping|ped|n)?\b"
)
_SECRET_USE = (
    r"\b(?:rotate|rotation|regenerate|roll|reset|resets|change|changes|switch\w*|swap\w*|"
    r"replac\w*|revok\w*)\b"
)
# A reminder that a secret is about to expire, or to change it, handles no secret.
_EXPIRY_REMINDER = (
    r"\b(?:passwords?|keys?|tokens?|credentials?|log-?ins?)\s+(?:expir\w*|will\s+expire|(?:is|are|"
    r"has|have)\s+(?:about\s+to\s+|going\s+to\s+)?(?:expir\w*|run\s+out))|\b(?:change|update|"
    r"renew|reset)\s+(?:their|your|his|her)\s+(?:own\s+)?passwords?\b|"
    # "the date each was last rotated … 2 days before any of them hits 90 days": a due date
    r"\blast\s+rotated\b|\b(?:due|overdue)\s+(?:for\s+)?(?:a\s+)?rotation\b"
)
# "our stripe, hubspot and sendgrid api keys": the owners listed before the secret noun.
_NAMED_SECRET = re.compile(
    r"((?:[a-z0-9.]+(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+)){0,6}?)"
    r"((?:api|secret|access|private|ssh)?[\s_-]*(?:keys?|tokens?|secrets?|credentials?|passwords?))\b"
)
# Words that describe a secret ("stripe dashboard password") rather than name whose it is.
_DESCRIBES_SECRET = frozenset(
    re.findall(r"\w+", "dashboard account login admin master root live test prod")
)
_NOT_AN_OWNER = frozenset(
    re.findall(
        r"\w+",
        "our the my your their all of new a an any api secret access private ssh live test "
        "production prod me us give send email post share show print paste dump export list tell "
        "reveal rotate regenerate roll can could you please pls what is are here each every "
        "that this these those its",
    )
)
_DESTINATION = (
    r"#[\w-]+|\b[\w.+-]+@[\w-]+\.[\w.]+|\b(?:me|us|myself|my\s+(?:co-?founder|partner|boss|"
    r"manager|team)|the\s+team|owners?|admins?|them|the\s+(?:customer|client|lead|person|sender)|"
    r"each\s+(?:customer|client|lead|person)|customers?|clients?|leads?|everyone|every\s+(?:customer|client|lead|person|member|subscriber|contact|user|one)s?|"
    r"@\w+|[A-Z]?[a-z]+\s+on\s+slack)\b|\bslack\b|\breply\b|\banswer\b|\brespond\b"
)
_DELIVERY = (
    r"\b(?:send|share|post|drop|ping|notify|alert|forward|deliver|email|e-mail|mail|message|tell|"
    r"let\s+\S+\s+know)\b"
)
_VAGUE_SELECTION = (
    r"\b(?:the\s+)?(?:important|relevant|interesting|good|main|key|notable|significant|usual|right|"
    r"necessary|needed)\s+(?:ones|stuff|things|bits|items|ones?)\b"
)
_VAGUE_TOOLS = (
    r"\b(?:our|the|my|all\s+(?:our|the))\s+(?:tools|apps|systems|platforms|software|stack)\b|"
    r"\b(?:stuff|things|everything)\s+between\b"
)
_PER_PERSON = (
    r"\b(?:onboarding|welcome|follow-?up|drip|nurture|check-?in|thank[- ]you)\s+(?:emails?|"
    r"messages?|sequence|series|flow)\b"
)
_VAGUE_PEOPLE = (
    r"\b(?:the\s+new\s+(?:people|folks|ones|guys|hires|users|customers|members)|new\s+people)\b"
)
_VAGUE_RECIPIENT = (
    # ("whoever's on QA this week": a rota, named)
    r"\b(?:whoever(?!(?:'s|\s+is)\s+on\b)|whomever|(?:any|every)one\s+who\s+needs|the\s+(?:relevant|right|usual)\s+"
    r"(?:people|person|folks))\b"
)
# "the client" with no name, when no event brings a person: which client?
_UNNAMED_CLIENT = r"\bto\s+the\s+(?:client|customer)\b(?!\s*\()"
_THE_REPORT = r"\b(?:the|that|this)\s+(?:report|summary|numbers|update|digest|file|thing|stuff)\b"


def refusal(text: str) -> str | None:
    """Why this normalised request must be refused, or None."""
    if has(text, _SKIP_APPROVAL):
        return (
            "I can't skip or bypass approval: every workflow is approved by the right person "
            "before it runs, whatever the request says."
        )
    if posts_publicly(text) and skips_checks(text):
        return (
            "I can't publish posts for you without anyone checking them first: what goes out in "
            "public is approved by a person. I can draft each post and send it to you for a quick "
            "yes before it goes out."
        )
    if reveals_secrets(text):
        return (
            "I can't send or show API keys, passwords or other credentials to anyone, in a "
            "message, a channel or an email (an owner manages them in the integration settings), "
            "but I can rotate a stored key with an owner's approval."
        )
    return None


# Posting where anyone can read it: a tweet, a post on the company's social pages.
_PUBLIC_POST = (
    r"\b(?:tweet|tweets|tweeting|retweet\w*)\b|\b(?:post|posts|posting|publish\w*|share|shares)\b"
    r"[^.;]{0,50}\b(?:on|to|from|via)\s+(?:our\s+|the\s+|my\s+)?(?:company\s+|public\s+|official\s+)?"
    r"(?:twitter|x|linkedin|facebook|instagram|threads|bluesky|mastodon|tiktok|reddit|company\s+account|"
    r"company\s+page|public\s+\w+)\b|\bpublicly\b"
)


def posts_publicly(text: str) -> bool:
    """Whether the request publishes posts where anyone can read them (tweets, company pages)."""
    return has(text, _PUBLIC_POST)


# How someone signs up or in, not a secret: "every new signup (email or google or microsoft
# login)", "users who sign in with google login".
_SIGN_IN_METHOD = re.compile(
    r"\b(?:sign(?:s|ed|ing)?[\s-]*(?:up|in|on)|signups?|sign-ups?|register\w*|registration|"
    r"log(?:s|ged|ging)?[\s-]*in|onboard\w*|joins?|joined)\b[^.;]{0,50}?\b(?:e-?mail|google|"
    r"microsoft|apple|github|facebook|linkedin|sso|saml|social|magic[\s-]+link|passwordless)\s+"
    r"(?:log-?ins?|sign-?ins?|auth\w*|accounts?)\b"
)


# Words watched for in messages, not a secret handled: "if someone posts 'password' or 'api key'",
# "a message that mentions a token", "anything that looks like an api key".
_QUOTED = "['\"\u2018\u201c][^'\"\u2018\u2019\u201c\u201d]{1,30}['\"\u2019\u201d]"
_WATCHED_WORDS = re.compile(
    r"\b(?:contain\w*|mention\w*|say\w*|words?|keywords?|phrases?|terms?|like|with)\s+"
    r"(?:[\w'-]+\s+){0,2}?" + _QUOTED + r"(?:\s*(?:,|or|and|/)\s*" + _QUOTED + r")*|"
    r"\b(?:contain\w*|mention\w*|look\w*\s+like|with\s+the\s+words?|keywords?|the\s+words?)\s+"
    r"(?:[\w'-]+\s+){0,2}?(?:api[\s_-]*keys?|passwords?|tokens?|secrets?|credentials?|keys?)"
    r"(?:\s*(?:,|or|and|/)\s*(?:an?\s+)?(?:api[\s_-]*keys?|passwords?|tokens?|secrets?|"
    r"credentials?|keys?))*\b"
)


def _without_sign_in_methods(text: str) -> str:
    return labels_masked(_WATCHED_WORDS.sub(_blank, _SIGN_IN_METHOD.sub(_blank, text)))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def handles_secrets(text: str) -> bool:
    """Whether the request reveals, sends or rotates API keys, passwords or other secrets."""
    return _secret_acts(text, _EXFIL + "|" + _SECRET_USE)


def mentions_secrets(text: str) -> bool:
    """Whether the request is about passwords, keys or tokens at all ("everyone uses the same
    password"): asked about, what it would do is credential handling (class C)."""
    text = _without_sign_in_methods(text)
    return any(
        not has(text[max(0, m.start() - 60) : m.end() + 60], _EXPIRY_REMINDER)
        for m in re.finditer(_SECRET, text)
    ) and not has(text, r"\bpassword\s+reset|\breset\s+\w+\s+password|forgot\w*\s+password")


# "that it's been rotated", "that their password was reset": news of a change, not the secret.
_CHANGED_NOTICE = (
    r"\bthat\s+(?:it|they|the\s+\w+|their\s+\w+(?:\s+\w+)?)(?:'s|'ve|\s+has|\s+have|\s+was|"
    r"\s+were|\s+is|\s+are|\s+got)\s+(?:been\s+|just\s+)?(?:rotated|changed|reset|renewed|"
    r"replaced|regenerated|revoked)\b"
)

_TOLD_OF_CHANGE = (
    r"\b(?:e-?mail|tell|notify|message|let|inform|ping|text|slack)\w*\s+(?:[\w'-]+\s+){0,4}?"
    + _CHANGED_NOTICE
    + r"[^.;]*"
)


# "never put the key itself in the email", "don't include the password": the request keeps the
# secret out of what it sends (a link to where it is shown is sent instead).
_KEPT_OUT = (
    r"\b(?:never|don'?t|do\s+not|must\s+not|shouldn'?t|without)\s+(?:ever\s+)?(?:(?:put|putting|"
    r"include|including|send|sending|show|showing|paste|pasting|share|sharing|write|writing|e-?mail|"
    r"e-?mailing|post|posting|text|texting)(?:\s+(?:or|and|nor)\s+|\s*/\s*)?)+\s+"
    r"(?:the\s+|their\s+|its\s+|any\s+|a\s+)?(?:api\s+)?(?:keys?|passwords?|tokens?|secrets?|"
    r"credentials?)\b(?:\s+itself|\s+themselves)?(?![^.]{0,40}\b(?:instead|but|except)\b)"
)


def reveals_secrets(text: str) -> bool:
    """Whether the request shows or sends a secret to someone (rotating one reveals nothing)."""
    if has(text, _KEPT_OUT):
        return False  # the secret is kept out of every message, in so many words
    # "email each key owner that it's been rotated": the news of it is sent, not the key
    return _secret_acts(re.sub(_TOLD_OF_CHANGE, " ", text), _EXFIL)


def _secret_acts(text: str, verbs: str) -> bool:
    text = _without_sign_in_methods(text)
    for secret in re.finditer(_SECRET, text):
        window = text[max(0, secret.start() - 60) : secret.end() + 60]
        if has(window, r"\bpassword\s+reset|\breset\s+\w+\s+password|forgot\w*\s+password"):
            continue
        if has(window, _EXPIRY_REMINDER):
            continue  # "whose password expires next week: tell them to change it" shows nothing
        if has(window, verbs):
            return True
    return False


def credential_steps(text: str) -> list[dict[str, Any]]:
    """The request's reading as credential handling: one `credentials.rotate` per secret named.

    Rotating is the only credential action there is; it stands for any handling of a secret so
    that the policy classes the (refused) reading C, as credential handling is.
    """
    steps: list[dict[str, Any]] = []
    for match in _NAMED_SECRET.finditer(text):
        name = _secret_name(match.group(2))
        for owner in _owners(match.group(1)):
            integration = re.sub(r"[^a-z0-9_-]", "", owner)
            if integration and integration not in [s["inputs"]["integration"] for s in steps]:
                inputs = {"integration": integration, "name": name}
                steps.append(
                    {
                        "id": f"rotate_{integration}",
                        "action": "credentials.rotate",
                        "inputs": inputs,
                    }
                )
    if steps:
        return steps
    first = _NAMED_SECRET.search(text)
    inputs = {"integration": "workspace", "name": _secret_name(first.group(2) if first else "")}
    return [{"id": "rotate_workspace", "action": "credentials.rotate", "inputs": inputs}]


def _owners(before: str) -> list[str]:
    """The tools named right before a secret noun ("stripe, hubspot and sendgrid")."""
    owners: list[str] = []
    for word in reversed(re.split(r"\s*,\s*|\s*&\s*|\s+", before.strip())):
        if word == "and" or not word or (word in _DESCRIBES_SECRET and not owners):
            continue
        if word in _NOT_AN_OWNER:
            break
        owners.insert(0, word)
    return owners


def _secret_name(noun: str) -> str:
    for word, name in (
        ("password", "password"),
        ("token", "token"),
        ("secret", "secret_key"),
        ("access", "access_key"),
        ("private", "private_key"),
        ("ssh", "private_key"),
    ):
        if word in noun:
            return name
    return "api_key"


# Steps that put the result somewhere: no question about where to send it.
_DESTINATIONS = (
    "email.",
    "slack.",
    "sheets.append_row",
    "sheets.update_row",
    "crm.upsert_contact",
    "crm.update_contact",
    "hubspot.upsert_contact",
)
_WHERE = "Where should I send it: email you, or post it in a Slack channel (which one)?"
_WHICH_REPORT = "Which report do you mean, and who should get it: email you, or a Slack channel?"
_WHO = "Who should get it: which client or person (an email address), or a Slack channel?"
_WHICH_CONTACTS = (
    "Which contacts should it delete: all of them, the ones not updated for a while (how long?), "
    "or the ones at one stage?"
)
_SYNC_WHAT = "Which tools should I keep in sync, and which records (contacts, deals, orders…)?"
_IMPORTANT = (
    "Which items do you mean, and what makes one important "
    "(a source, a keyword, an amount over a threshold)?"
)
_CHOICES: dict[str, list[str]] = {
    _WHERE: ["Email it to me", "Post it in #general"],
    _WHICH_REPORT: ["The weekly leads report, emailed to me", "The sales summary, in #general"],
    _SYNC_WHAT: ["Contacts between HubSpot and a Google Sheet", "Stripe customers into the CRM"],
    _IMPORTANT: ["Let AI pick the important ones", "Only ones mentioning a keyword I give"],
}


_WHICH_SHEET = "Which spreadsheet (and tab) are the rows in?"
_CHOICES[_WHICH_SHEET] = ["The Leads sheet, first tab", "I'll paste the Google Sheet link"]
_TO_WHOM = (
    "Who should get it: email it to you, to someone else (which address), or post it in Slack?"
)
_CHOICES[_TO_WHOM] = ["Email it to me", "Post it in #general"]
# Anyone a request can address without an email address: a class of people, or a pronoun.
_PEOPLE_WORDS = (
    r"\b(?:customers?|clients?|parents?|directors?|accountants?|people|person|members?|staff|"
    r"team|salespe\w+|users?|leads?|contacts?|subscribers?|students?|guests?|patients?|owners?|"
    r"managers?|suppliers?|vendors?|partners?|employees?|candidates?|applicants?|them|their|"
    r"everyone|anyone|whoever|buyers?|donors?|attendees?|tenants?|drivers?|reps?|agents?)\b|"
    # the people the rest of the planner knows by role ("the borrower", "the HR officer")
    r"\b" + PEOPLE + r"\b|" + STAFF
)
# "email our investors the numbers" (a person before the thing sent), "send it to the board".
_ADDRESSED = (
    r"\b(?:e-?mail|send|mail|message|text)\s+(?:our\s+|my\s+|the\s+|each\s+|every\s+|all\s+"
    r"(?:our\s+|the\s+)?)?[\w'-]+\s+(?:the|a|an|their|our|this|that|last|yesterday'?s|"
    r"today'?s|tomorrow'?s|weekly|monthly|daily|quarterly)\b|"
    r"\bto\s+(?:our|my|the|each|every|all)\s+(?!sheet|crm|channel|slack|inbox)\w+"
)
# Anyone else a request names as the reader: the person asking, a mailbox ("warehouse@"), those a
# filter picks ("ppl who finish the signup"), or the owners of the records it is about.
_SOMEONE = (
    r"\b(?:i|i'?m|i'?d|my|mine)\b|\b[\w.+-]+@|\b(?:ppl|who|whose|whom)\b|"
    r"\b(?:baskets?|carts?|orders?|bookings?|appointments?|invoices?|sign-?ups?|accounts?)\b"
)
_SENDS_MAIL = r"\bsend\w*\b|\b(?:e-?mail|mail)\s+(?:it|them|this|the|a|an|out)\b"
_SHEET_WORDS = r"\b(?:sheets?|spreadsheets?|tabs?|excel|csv|airtable|notion|table|tracker)\b"


def missing_party(text: str, spec: dict[str, Any]) -> str | None:
    """The question when a step needs a party the request never names, or None.

    A scheduled or manual email with no recipient named has nobody to go to (its trigger
    carries no sender); rows moved from an unnamed sheet have no sheet to read.
    """
    steps = spec.get("steps", [])
    trigger = spec.get("trigger", {}).get("type")
    if trigger in ("schedule", "manual") and not has(
        text, _DESTINATION + "|" + _PEOPLE_WORDS + "|" + _ADDRESSED
    ):
        for step in steps:
            if step.get("action") == "email.send" and "{{ trigger." in str(
                step.get("inputs", {}).get("to", "")
            ):
                return _TO_WHOM
    if (
        any(
            step.get("action") == "email.send" and step.get("inputs", {}).get("to") == "member:me"
            for step in steps
        )
        and has(text, _SENDS_MAIL)
        and not looks_foreign(text)
        and not has(text, _DESTINATION + "|" + _SOMEONE + "|" + _PEOPLE_WORDS + "|" + _ADDRESSED)
    ):
        return _TO_WHOM  # "send the dev stats email every friday": nobody said who reads it
    reads_rows = any(s.get("action") == "sheets.read_rows" for s in steps) or has(
        text, r"\b(?:new|the|those|these)\s+rows\b"
    )
    named = has(text, r"['\"\u2018\u201c][^'\"\u2019\u201d]{2,}['\"\u2019\u201d]")  # 'Escalations'
    if reads_rows and has(text, r"\brows?\b") and not (named or has(text, _SHEET_WORDS)):
        return _WHICH_SHEET
    return None


def choices_for(question: str | None) -> list[str]:
    """Ready answers to offer beside a clarifying question (empty when it has none)."""
    return list(_CHOICES.get(question or "", []))


NO_ACTIONS = "What should this do: which tool should it read from, and where should results go?"


def clarification(text: str, spec: dict[str, Any], named_tools: set[str]) -> str | None:
    """One short question when something essential is missing from the request, or None."""
    steps = spec.get("steps", [])
    if which_page(text, spec):
        return which_page(text, spec)  # a page watch naming no page: which one
    if any(
        s.get("action") == "crm.delete_contacts"
        and picks_unsaid_contacts(text, s.get("inputs", {}))
        for s in steps
    ):
        return _WHICH_CONTACTS
    actions = [s.get("action") for s in steps if s.get("action")]
    trigger = spec.get("trigger", {}).get("type")
    if has(
        sync_meetings_masked(text),
        r"\b(?:sync|syncs|syncing|integrate)\b|"
        # ("with a link back to their cart" is a link sent, not tools joined)
        r"(?<!\ba\s)(?<!\bthe\s)\b(?:connect|link)\s+(?!back\b)(?:up\s+)?"
        r"(?:our|my|the|all|\w+\s+(?:and|with|to))\b",
    ) and (len(named_tools) < 2 or has(text, _VAGUE_TOOLS)):
        return _SYNC_WHAT
    if has(text, _VAGUE_SELECTION) and not has(
        text, r"\b(?:ai|tag|score|classif\w*|categori\w*)\b"
    ):
        return _IMPORTANT
    if (
        has(text, _PER_PERSON)
        and trigger == "manual"
        and (has(text, _VAGUE_PEOPLE) or not has(text, r"@|\bme\b"))
        and not risk_cues.sends_in_bulk(text)  # "everyone on our list": who is said
    ):
        return (
            "Who should get these emails and what starts them: a signup webhook, "
            "a new Stripe subscription, or a CRM stage change?"
        )
    if _unknown_recipient(text, trigger):
        return _WHO
    if (
        trigger == "manual"
        and _to_a_person_nobody_brings(steps)
        and not has(text, r"\b(?:all|every|each|everyone|existing|repl\w*|respond\w*|answer\w*)\b")
    ):
        return _WHO_AND_WHEN
    delivers = any(str(a).startswith(_DESTINATIONS) for a in actions)
    delivers = delivers or any(writes_over_http(s) for s in steps)
    vague_people = has(text, r"\b(?:the|my|our)\s+(?:team|people|folks|staff)\b")
    if has(text, _DELIVERY) and not delivers and (vague_people or not has(text, _DESTINATION)):
        if has(text, _THE_REPORT):
            return _WHICH_REPORT
        return _WHERE
    if not actions:
        return NO_ACTIONS
    if _made_for_nobody(actions, steps, text):
        return _WHERE
    return missing_party(text, spec)


# What a workflow makes for people to read; made on a clock and sent nowhere, nobody reads it.
_MADE_FOR_READING = ("report.build", "ai.summarize", "stripe.summarize_payments")


def _made_for_nobody(actions: list[Any], steps: list[dict[str, Any]], text: str) -> bool:
    """A report or summary with no step that delivers or stores it, and no word of where it goes
    ("every monday create a report of our website traffic")."""
    if not any(a in _MADE_FOR_READING for a in actions):
        return False
    if has(text, r"\bchat\w*|\bbots?\b|\banswer\w*|\brepl(?:y|ies|ying)\b|\brespond\w*"):
        return False  # a chat or a bot answers whoever asked
    delivers = any(str(a).startswith(_DESTINATIONS) for a in actions) or any(
        writes_over_http(s) for s in steps
    )
    named = _DESTINATION + "|" + _DELIVERY + r"|\b(?:e-?mailed|mailed|sent|posted|shared|sheet|"
    named += r"notion|airtable|drive|doc)\b"
    return not delivers and not has(text, named)


# Records gone through one by one, each with its own client: "for each client site … email it
# to the client", "any invoice that's still overdue … to the client".
_EACH_RECORD = (
    r"\b(?:each|every|any|all)\s+(?:of\s+)?(?:our\s+|the\s+|my\s+)?(?:[\w-]+\s+)?(?:clients?|"
    r"customers?|invoices?|orders?|projects?|accounts?|sites?|jobs?|bookings?|quotes?)\b"
)


_WHO_AND_WHEN = (
    "Who should get it, and when: each customer after an order or a finished job (your shop or "
    "booking tool tells Levqor), or the customers in your CRM, once?"
)
_CHOICES[_WHO_AND_WHEN] = [
    "Each customer after their order",
    "Every customer in the CRM, once",
]
_READS_PEOPLE = ("crm.find_contacts", "hubspot.list_contacts", "sheets.read_rows",
                 "stripe.list_invoices")  # fmt: skip


def _to_a_person_nobody_brings(steps: list[dict[str, Any]]) -> bool:
    """An email to "the person" ({{ trigger.email }}) in a workflow started by hand, with no
    step that reads the people first: nobody would get it ("ask happy customers to leave a
    review")."""
    if len(steps) != 1 or any(s.get("action") in _READS_PEOPLE for s in steps):
        return False
    return any(
        s.get("action") == "email.send" and "trigger." in str((s.get("inputs") or {}).get("to"))
        for s in steps
    )


def _unknown_recipient(text: str, trigger: str | None) -> bool:
    """Whether the request delivers to someone it does not name ("whoever", "the client")."""
    unnamed_client = has(text, _UNNAMED_CLIENT) and not has(text, _EACH_RECORD)
    return has(text, _DELIVERY) and (
        has(text, _VAGUE_RECIPIENT) or (trigger in ("manual", "schedule") and unnamed_client)
    )


# The stand-in step of a question asked before anything was asked of a step; a workflow has at
# least one step, so the reading is checked with it, and the clarify carries only its start.
LOOK_ONLY = "read_from_tool"


def placeholder_steps(spec: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """Stand-in steps for what a question leaves open (an unknown party counts as external)."""
    steps: list[dict[str, Any]] = spec.get("steps", [])
    actions = [s.get("action") or "" for s in steps]
    inputs = {"to": "{{ recipient }}", "subject": "Update", "text": "{{ trigger | summary }}"}
    if _unknown_recipient(text, spec.get("trigger", {}).get("type")):
        if "email.send" in actions:
            return []
        return [{"id": "send_to_recipient", "action": "email.send", "inputs": inputs}]
    delivers = any(a.startswith(("email.", "slack.")) for a in actions)
    delivers = delivers or any(writes_over_http(s) for s in steps)
    vague_people = has(text, r"\b(?:the|my|our)\s+(?:team|people|folks|staff)\b")
    if has(text, _DELIVERY) and not delivers and (vague_people or not has(text, _DESTINATION)):
        return [{"id": "send_to_recipient", "action": "email.send", "inputs": inputs}]
    if has(text, r"\bsync\w*\b") and len(set(actions)) < 2:
        inputs = {"method": "POST", "url": "https://api.example.com/sync", "json": "{{ trigger }}"}
        return [{"id": "write_to_tool", "action": "http.request", "inputs": inputs}]
    if not actions:  # nothing asked yet: the provisional reading only looks, it changes nothing
        inputs = {"method": "GET", "url": "https://api.example.com/status"}
        return [{"id": LOOK_ONLY, "action": "http.request", "inputs": inputs}]
    return []


# A second reader named beside the asker with no address: "text + email me and Dana" (a Slack
# mention, "ping Maria on Slack", is no email).
_NAMED_READER = re.compile(
    r"\b(?:me|us)\s*(?:and|&|\+|,)\s*([A-Z][a-z]{2,})\b"
    r"(?!\s*(?:@|\(|'s\b)|\s+(?:on|in|via|over)\s+(?:slack|teams|discord|telegram)\b)"
)
_NOT_A_PERSON = frozenset(
    [
        "Slack",
        "Stripe",
        "Shopify",
        "Gmail",
        "Outlook",
        "Hubspot",
        "HubSpot",
        "Notion",
        "Airtable",
        "Google",
        "Sheets",
        "Teams",
        "Discord",
        "Telegram",
        "Twilio",
        "Zendesk",
        "Jira",
        "Github",
        "GitHub",
        "Trello",
        "Asana",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Sales",
        "Support",
        "Finance",
        "Marketing",
        "Ops",
        "Everyone",
        "Admin",
        "Admins",
        "The",
        "Our",
        "All",
        "Each",
        "Every",
        "Them",
        "Him",
        "Her",
        "Levqor",
        "Calendly",
        "Typeform",
        "Mailchimp",
        "Xero",
        "Quickbooks",
        "QuickBooks",
        "Pipedrive",
        "Salesforce",
        "Intercom",
        "Whatsapp",
        "WhatsApp",
        "Zoom",
    ]
)


def reader_without_address(request: str, spec: dict[str, Any]) -> str | None:
    """The question for a person named as a reader with no address ("text + email me and
    Dana"), or None: a message to them would otherwise be dropped without a word."""
    for match in _NAMED_READER.finditer(request):
        name = match.group(1)
        if name in _NOT_A_PERSON:
            continue
        to = " ".join(str((s.get("inputs") or {}).get("to", "")) for s in spec.get("steps", []))
        if name.lower() in to.lower() or re.search(
            rf"(?i)\b{name}\s*(?:<|\(|at\s+)?[\w.+-]+@", request
        ):
            continue  # sent to their address already
        return f"What is {name}'s email address? I'll send it to {name} as well."
    return None
