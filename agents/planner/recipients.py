"""Who a request's email goes to: outside people (class B), everyone (C), or named addresses."""

from __future__ import annotations

import re

from agents.planner.intents import CRM_NAMES, TriggerReading
from agents.planner.text import has

# People outside the business that a message can be addressed to.
PEOPLE = (
    r"(?:person|customer|client|lead|sender|member|user|reviewer|patient|guest|buyer|invitee|"
    r"student|applicant|candidate|attendee|subscriber|shopper|tenant|visitor|caller|parent|"
    r"donor|prospect|vendor|supplier|contact|signup|purchaser|participant|registrant|booker|"
    # the people a business serves or deals with, by role ("the borrower", "each organiser")
    r"borrower|organi[sz]er|renter|resident|homeowner|landlord|player|learner|athlete|contractor|"
    r"freelancer|affiliate|seller|merchant|travell?er|passenger|speaker|recipient|winner|"
    r"requester|requestor|patron|diner|camper|rider|guardian|volunteer|policyholder|"
    r"cardholder|account\s+holder|sponsor|famil(?:y|ie)|"
    # "pet owners", "home owners": the people served, not the workspace's owner
    r"(?:pet|dog|cat|horse|car|vehicle|home|house|property|boat|business|shop|store)\s+owner)s?"
)
# Our own people by role: "the directors", "all managers", "each of our 6 sales reps".
STAFF = (
    r"(?:all\s+(?:of\s+)?(?:the\s+|our\s+)?|the\s+|our\s+|each\s+of\s+(?:our|the)\s+|every\s+|each\s+)?"
    r"(?:\d+\s+)?(?:right\s+|relevant\s+|other\s+|sales\s+|shift\s+|store\s+|account\s+|"
    r"project\s+|line\s+|area\s+|regional\s+|department\s+|ops\s+|operations\s+|office\s+|"
    r"hr\s+|it\s+|finance\s+|marketing\s+|product\s+|engineering\s+|general\s+|duty\s+|"
    r"warehouse\s+|site\s+|floor\s+)?"
    r"(?:managers?|directors|reps|staff|employees?|colleagues|co-?workers|supervisors?|team\s+leads?|crew|"
    r"officers?|interns?|trainees?|new\s+(?:hires?|starters?|joiners?)|assignees?|approvers?|"
    r"on-?call\s+(?:person|engineer)|"
    r"engineers?|developers?|devs|counsell?ors?|teachers|nurses|technicians|department\s+heads?|"
    r"heads\s+of\s+\w+|execs?|executives|leadership\s+team|admins?|administrators?|sysadmins?)\b"
)
NO_SEND = (
    r"\b(?:don't|do\s+not|never|not)\s+(?:auto-?)?send\b|\bwithout\s+sending\b|"
    r"\bno\s+e-?mails?\b|\b(?:don't|do\s+not|never)\s+e-?mail\b"
)
_EXTERNAL = (
    r"(?<!\bno\s)(?<!\bwithout\s)(?<!\bwithout\sa\s)"
    r"\b(?:email|e-mail|mail|send|remind|reply|replies|answer|chase|thank|welcome|respond|ask)\w*\b"
    r"(?!\s+(?:me|us|myself|it\s+to\s+me|from)\b)[^.]{0,50}?\b(?:them(?!\s+(?:to|over\s+to)\s+"
    r"(?:me|us|myself|#|the\s+team))|the\s+" + PEOPLE + r"|"
    # ("remind people to …" is our own people: the team)
    r"each\s+(?:one|" + PEOPLE + r")|" + PEOPLE + r"|anyone|(?<!\bremind\s)people|him|her)\b|"
    r"\b(?:welcome|thank-?you|tips|check-?in|reminder|follow-?up|intake|onboarding|drip|confirmation|"
    r"polite|friendly|gentle|firm\w*|final)\s+e?mails?\b|\bdrip\b|"
    r"\b(?:send|email)\w*\b[^.]{0,40}\bsurvey\b|\bsurvey\s+e?mails?\b|\bcanned\b|\bauto(?:matic)?[\s-]?repl|\bauto-?respon|\breply\s+saying|"
    r"\bstandard\s+info\b|\bescalated\b|\bget\s+an?\s+['\"]|"
    # "let the customer know by email when …", "tell the client when their order ships"
    r"\b(?:let|tell|update|notify|inform)\s+(?:the\s+|each\s+|our\s+)?" + PEOPLE + r"\b"
    r"(?=[^.]{0,30}\b(?:know|by\s+e-?mail|e-?mail|when|once|that|about)\b)"
)
# "a reminder" alone is for someone outside, unless it goes to a channel or to Slack.
_REMINDER = r"\breminders?\b(?![^.]{0,30}#ch\d)"
_IN_SLACK = r"\bslack\b"
_EMAIL_WORD = r"\be-?mail\w*|\bmail\b|\binbox\b"
# An emailed mailbox replying to the sender: "replies with the right instructions".
_REPLY_VERB = (
    r"(?<!\bno\s)(?<!\bdraft\s)(?<!\bwrite\s)(?<!\bto\s)(?<!\ban\s)(?<!\ba\s)"
    r"\b(?:repl(?:y|ies)\s+(?:with|to|saying|that|in|using)|respond(?:s|ing)?\s+(?:with|to)|"
    r"answer(?:s|ing)?\s+(?:them|those|it|each|with|the\s+(?:sender|question))|"
    r"send\w*\s+(?:them\s+)?(?:an?\s+|the\s+)?(?:\w+\s+)?(?:reply|replies|response|answer))\b"
)
_WHEN_WORD = (
    r"(?:min\w*|hours?|days?|weeks?|months?|quarters?|years?|mornings?|evenings?|nights?|"
    r"afternoons?|weekdays?|weekends?|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
)
EMAIL_OTHERS = (
    r"\be-?mail\s+(?!me\b|us\b|myself\b|it\b|my\s+(?:co-?founder|(?:business\s+)?partner|boss|"
    r"(?:line\s+)?manager)\b|the\s+boss\b|the\s+board\b|"
    r"(?:the|our|my)\s+(?:[a-z]+\s+)?team\b|the\s+owners?|admins?|everyone|(?:all\s+|our\s+|the\s+)staff|"
    + STAFF
    + r"|"
    r"(?:every|each)\s+(?:\d+\s+)?" + _WHEN_WORD + r")"
    r"(?:our|the|all|every|each|their|my)\s+[a-z]+"
)
BULK = (
    r"\b(?:every|each|all)\s+(?:single\s+)?(?:of\s+)?(?:our\s+|the\s+)?(?:contact|subscriber|customer|"
    r"lead|client)s?\b[^.]{0,20}\b(?:in|on|from)\s+(?:the\s+|our\s+)?(?:(?:list|database)\b|"
    + CRM_NAMES
    + r")|\ball\s+(?:of\s+)?(?:our|the)\s+(?:contacts|subscribers|customers|leads)\b|"
    r"\b(?:entire|whole|full)\s+(?:\w+\s+)?list\b|\bmailing\s+list\b|\bnewsletter\b|"
    r"\beveryone\s+(?:in|on)\s+(?:the\s+|our\s+)?(?:list\b|" + CRM_NAMES + r")"
)
_FULL_ADDRESS = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_DELIVER = (
    r"\b(?:send|sends|sent|email\w*|e-mail|mail|forward\w*|cc|share|deliver\w*|"
    r"gets?\s+an?\s+e-?mail)\b"
)


def wants_external(t: str, trigger: TriggerReading) -> bool:
    """Whether the request emails someone outside the business (the person, customers…)."""
    if has(t, NO_SEND):
        return False
    if has(t, _EXTERNAL) or has(t, EMAIL_OTHERS):
        return True
    if has(t, _REMINDER) and (has(t, _EMAIL_WORD) or not has(t, _IN_SLACK)):
        return True
    if has(t, r"\bchase\w*\b") and has(t, r"\binvoices?\b"):
        return True
    return trigger.kind == "email" and has(t, _REPLY_VERB)


def without_inbound(t: str, trigger: TriggerReading) -> str:
    """The request with "emails sent to billing@" blanked: mail arriving is not mail sent."""
    address = trigger.spec.get("address")
    if trigger.kind != "email" or not address:
        return t
    pattern = r"\b(?:e-?mails?|mail|e-?mailed|writes?)\b[^.@]{0,30}?" + re.escape(address)
    return re.sub(pattern, lambda m: " " * len(m.group(0)), t)


def named_destinations(t: str, trigger: TriggerReading) -> list[str]:
    """Full addresses the request sends to (not the mailbox mail arrives at, nor a sender)."""
    if trigger.kind == "slack" or not has(t, _DELIVER):
        return []
    found: list[str] = []
    for match in _FULL_ADDRESS.finditer(t):
        address = match.group(0)
        before = t[max(0, match.start() - 12) : match.start()]
        if address == trigger.spec.get("address") or has(
            before, r"\b(?:from|when|whenever|if|by|me\s+at)\s+$"
        ):
            continue
        found.append(address)
    return list(dict.fromkeys(found))


# What a reminder to us asks us to do ("remind me in slack to send the board the monthly
# numbers", "post a reminder in #ops to restock"): said in the message, not done by the workflow.
# A reminder to people outside ("remind customers to pay their overdue invoices") keeps its point:
# the workflow reads what it is about.
_POINT = (
    r"(?P<point>[a-z][^.;!?]*?)(?=\s*(?:[.;!?]|,?\s+and\s+then\b|,\s+then\b|\s+then\s+|,\s+and\s+"
    r"(?:post|email|send|tell|ping|notify|add|create|log)\b|$))"
)
_NOT_A_POINT = (
    r"(?!(?:the|a|an|our|my|your|their|each|every|all|any|me|us|them|him|her|everyone|everybody|"
    r"anyone|people)\b|" + PEOPLE + r"\b|[#@]|\S+@)"
)
_REMIND_US = re.compile(
    r"\b(?:remind|nudge|prompt)(?:s|ing)?\s+(?:me|us|myself|everyone|everybody|(?:the|our|my)\s+"
    r"(?:[a-z]+\s+)?team|#[\w-]+|" + STAFF + r")\b[^.;!?]{0,60}?\bto\s+" + _NOT_A_POINT + _POINT
)
_A_REMINDER = re.compile(r"\breminders?\b[^.;!?]{0,40}?\bto\s+" + _NOT_A_POINT + _POINT)


def reminder_points_masked(text: str) -> str:
    """`text` with what its reminders to us ask us to do blanked (the steps are the reminder)."""

    def masked(found: re.Match[str]) -> str:
        before = text[max(0, found.start() - 40) : found.start()]
        if found.re is _A_REMINDER and re.search(rf"\b{PEOPLE}\b", before):
            return found.group(0)  # "email our sponsors a reminder to …": theirs to do
        cut = found.start("point") - found.start()
        return found.group(0)[:cut] + " " * len(found.group("point"))

    text = _REMIND_US.sub(masked, text)
    return _A_REMINDER.sub(masked, text)
