"""The learned model's say in drafting: its trigger guess weighed against the rules' reading.

The rules read what they can be sure of (a slash command, a mailbox, a clock time); the model,
trained on thousands of real automations (agents/learned), knows how people describe the rest.
Each rule's reading gets a weight for how sure its words are; the model's probabilities are
added; the most likely trigger wins, its details filled in by the slot extractors.
"""

from __future__ import annotations

import logging

from agents.learned import ModelFileError, Prediction, predict
from agents.planner.intents import (
    TriggerReading,
    email_reading,
    inbound_mailbox,
    poll_url,
    slack_reading,
    stripe_reading,
)
from agents.planner.schedule import find_schedule
from agents.planner.text import has

log = logging.getLogger(__name__)

# How much a rule's reading counts beside the model's probabilities (which sum to 1).
RULE_WEIGHT = {
    "slash": 1.0,
    "mention": 1.0,
    "mailbox": 1.0,
    "schedule_clocked": 1.0,  # "Friday 3pm", "every 10 minutes": a clock the words name
    "on_demand": 1.0,  # "when i say so", "give me a way to …"
    "schedule_every": 0.9,  # "every friday send me …": a day that repeats, the hour defaulted
    "schedule_relative": 0.8,  # "3 days before their invoice is due": a daily look
    "table_edit": 0.8,  # "when I type REFUND in column H"
    "schedule": 0.6,
    "stripe": 0.6,
    "slack_message": 0.6,
    "inbound": 0.7,
    "uptime": 0.9,  # "goes down", "stops loading": whatever the page is about
    "sheet": 0.8,  # "when a row in the sheet is marked Approved"
    "slack_post": 0.9,  # "when someone posts … in #expenses"
    "form_event": 0.8,  # "pays the deposit through our typeform", "abandons checkout on shopify"
    "watch": 0.9,  # "watch this competitor's store": nothing pushes, whatever the app
    "webhook": 0.3,
    "poll": 0.3,
    "event": 0.2,
    "default": 0.0,
}


# Below this, the model's trigger for a request whose words name no start is a guess.
UNSURE = 0.35

# The model may only pick a trigger whose subject the request mentions: "a customer signs up"
# is no Stripe event unless Stripe, a payment or a subscription is named.
_EVIDENCE = {
    "stripe": r"\bstripe\b|\bpay\w*|\binvoice|\bsubscri\w*|\bcharge|\brefund|\bchargeback|"
    r"\bdisput\w*|\bbilling\b|\bcheckout\b|\bmrr\b|\bchurn",
    "email": r"\be-?mail|\binbox|\bmail\b|@|\bgmail|\boutlook|\bnewsletter|\bsubject\b",
    "slack": r"\bslack\b|#[\w-]|(?:^|\s)/[a-z]|\bmention|\bchannel|\breacts?\b|\bemoji",
    "poll": r"\brss\b|\bfeeds?\b|\bblogs?\b|\bnews\b|\bwatch|\bmonitor|\bkeep\s+an\s+eye|\btrack|"
    r"\breviews?\b|\bmentions?\b|\breddit|\bsheet|\bsync|\bnew\s+(?:rows?|posts?|items?|files?)",
    "interval": r"\bdown\b|\buptime|\boffline|\bunreachable|\bmonitor|\bcheck\w*|\bstatus\b",
}


def prediction_for(request: str) -> Prediction | None:
    """The model's guesses for a request, or None when the model file cannot be used."""
    try:
        return predict(request)
    except ModelFileError as exc:  # drafting goes on with the rules alone
        log.warning("drafting model unavailable: %s", exc)
        return None


def choose_trigger(
    reading: TriggerReading, prediction: Prediction | None, text: str, quoted: list[str]
) -> TriggerReading:
    """The rules' reading, or the model's trigger when it is the more likely one."""
    if prediction is None:
        return reading
    scores = {
        kind: p
        for kind, p in prediction.trigger.items()
        if kind == reading.kind or kind not in _EVIDENCE or has(text, _EVIDENCE[kind])
    }
    scores[reading.kind] = scores.get(reading.kind, 0.0) + RULE_WEIGHT.get(reading.rule, 0.3)
    best = max(scores, key=lambda kind: scores[kind])
    if best == reading.kind:
        return reading
    if reading.rule == "default" and scores[best] < UNSURE:
        return reading  # no words name a start and the model is guessing: started by hand
    return reading_for(best, text, quoted) or reading


def reading_for(kind: str, text: str, quoted: list[str]) -> TriggerReading | None:
    """A trigger of this kind with the details the request gives (None if it gives none)."""
    if kind == "schedule":
        schedule = find_schedule(text, loose=True)
        return TriggerReading(kind, schedule.trigger_fields(), "model") if schedule else None
    if kind == "email":
        return email_reading(text, inbound_mailbox(text) or "")
    if kind == "slack":
        return slack_reading(text, loose=True) or TriggerReading(kind, {"type": kind}, "model")
    if kind == "stripe":
        return stripe_reading(text, loose=True)
    if kind == "poll":
        return TriggerReading(kind, {"type": kind, "url": poll_url(text, quoted)}, "model")
    if kind == "interval":
        return TriggerReading(kind, {"type": kind, "seconds": 300}, "model")
    return TriggerReading(kind, {"type": kind}, "model")
