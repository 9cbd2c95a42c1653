"""Records a scheduled message picks out, named by the request in its own words.

"one email with tasks due today", "post the orders that haven't shipped yet", "email the
managers the shifts nobody has picked up": the message lists records some system keeps, and the
words that pick them out ("due today", "that haven't", "nobody has", "open", "a list of") say so
even where the kind of record is one no list in the planner names. `selected_records` finds that
noun, so the workflow reads those records before it sends (a message with nothing in it does not
do what was asked).

Records another read already covers are left to it: contacts, leads and deals (the CRM), invoices,
payments and subscriptions (Stripe), rows (a sheet), posts, mentions and reviews (feeds), mail.
People the message goes to ("email the managers") are never what it lists, and Levqor's own
records (runs, failures, approvals, sign-ups and sales its report counts) need no read.
"""

from __future__ import annotations

import re

# Words before a plural noun that pick some of them out: "the open tickets", "overdue tasks".
_STATE = (
    r"open|pending|overdue|unpaid|unassigned|unanswered|unresolved|unreviewed|unapproved|"
    r"unconfirmed|unfilled|unclaimed|unread|unshipped|unfulfilled|late|upcoming|expiring|"
    r"outstanding|stuck|stale|failed|failing|missed|abandoned|cancell?ed|delayed|blocked|urgent|"
    r"high[- ]priority|flagged|incomplete|unfinished|today'?s|tomorrow'?s|yesterday'?s|"
    r"this\s+week'?s|last\s+week'?s|new|recent"
)
# Words after it: "tasks due today", "orders that haven't shipped", "shifts nobody has taken".
_AFTER = (
    # "that"/"which" begin a clause about them, not the message ("email all users that the
    # service will be down": what they are told)
    r"due|(?:that|which)(?!\s+(?:the|we|our|you|i|it|they|there|this|a|an|their|his|her|its|"
    r"your|he|she)\b)|still|not|without|with\s+no|nobody|no\s+one|older\s+than|past\s+their|"
    r"waiting|about\s+to|left\s+(?:open|unassigned|unanswered)|opened|closed|created|submitted|"
    r"booked|scheduled|assigned|completed|finished|shipped|raised|logged|added\s+(?:today|this|"
    r"since|in)"
)
_NOUN = r"([a-z][a-z-]{2,}s)"
_ROUND = (
    r"\b(?:a\s+|the\s+)?(?:list|summary|digest|count|number|rundown|overview|roundup|round-up)\s+"
    r"of\s+(?:the\s+|all\s+|our\s+|any\s+|today'?s\s+|new\s+|open\s+)?(?:[a-z-]+\s+)?" + _NOUN
)
_PICKED = (
    r"\b(?:the|any|all|every|our|with|of)\s+(?:the\s+)?(?:"
    + _STATE
    + r")\s+(?:[a-z-]+\s+)?"
    + _NOUN
    + r"\b|\b(?:the|any|all|our|with)\s+(?:[a-z-]+\s+)?"
    + _NOUN
    + r"\s+(?:"
    + _AFTER
    + r")\b|\bhow\s+many\s+(?:new\s+|open\s+)?"
    + _NOUN
)
# Records another read covers, people a message goes to, and words that are not records.
_NOT_RECORD_WORDS = """
    contacts leads deals customers clients prospects subscribers followers buyers donors patients
    invoices payments charges subscriptions refunds payouts transactions
    rows sheets spreadsheets cells columns
    posts mentions reviews articles tweets videos feeds blogs news
    emails mails messages replies dms texts
    managers owners admins people staff employees everyones teammates members team teams folks
    agents reps engineers developers devs volunteers parents students guests
    days hours minutes weeks months years times mornings evenings nights weekends weekdays
    things items stuff details updates changes numbers figures stats statistics results alerts
    reminders notifications reports summaries links lists counts totals amounts values others
    ones these those this was is has does yes its plus less unless status bonus
    runs workflows automations failures approvals signups sign-ups sales registrations
"""
_NOT_RECORDS = frozenset(_NOT_RECORD_WORDS.split())


# Just before them, a word that makes them the people a message goes to ("email the users
# whose …") or what a step deletes or changes ("purge the logs older than …"): another step's.
_NOT_LISTED_AFTER = re.compile(
    r"\b(?:e-?mail|text|message|ping|remind|notify|tell|dm|sms|invite|thank|welcome|"
    r"congratulate|delete|remove|purge|wipe|erase|archive|close|cancel|clean\s+up|clear\s+out|"
    r"void|trash|unsubscribe|deactivate|disable|suspend|reset|refund|charge|update|move|tag|mark)\s+"
    r"(?:all\s+|each\s+|every\s+)?(?:of\s+)?$"
)


def selected_records(text: str) -> str | None:
    """The plural noun for the records a message picks out ("tickets", "shifts"), or None."""
    for pattern in (_PICKED, _ROUND):
        for found in re.finditer(pattern, text):
            noun = next(g for g in found.groups() if g)
            if noun in _NOT_RECORDS or noun.endswith("ss"):
                continue
            if _NOT_LISTED_AFTER.search(text[max(0, found.start() - 40) : found.start()]):
                continue
            return noun
    return None
