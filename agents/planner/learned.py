"""The learned model's say in drafting: its trigger guess weighed against the rules' reading.

The rules read what they can be sure of (a slash command, a mailbox, a clock time); the model,
trained on thousands of real automations (agents/learned), knows how people describe the rest.
Each rule's reading gets a weight for how sure its words are; the model's probabilities are
added; the most likely trigger wins, its details filled in by the slot extractors.
"""

from __future__ import annotations

import logging
import re

from agents.learned import ModelFileError, Prediction, predict
from agents.planner.intents import (
    ACTION_VERBS,
    TriggerReading,
    email_reading,
    inbound_mailbox,
    other_payment_provider,
    poll_url,
    reviews_not_read_masked,
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
    "reaction": 1.0,  # "reacts 🔥 to a message in #leads": an emoji put on a Slack message
    "mailbox": 1.0,
    "schedule_clocked": 1.0,  # "Friday 3pm", "every 10 minutes": a clock the words name
    "on_demand": 1.0,  # "when i say so", "give me a way to …"
    "one_off": 1.0,  # "cancel all open orders in shopify": done once, on what exists
    "schedule_every": 0.9,  # "every friday send me …": a day that repeats, the hour defaulted
    "schedule_relative": 0.8,  # "3 days before their invoice is due": a daily look
    # "has been failing for 24 hours": how long a state lasted, which no event carries
    "schedule_hours": 1.0,
    "schedule_own_day": 1.0,  # "the day after a support case gets closed": no event carries it
    "table_edit": 0.8,  # "when I type REFUND in column H"
    "schedule": 0.6,
    "stripe": 0.6,
    "stripe_start": 1.0,  # "stripe sub gets cancelled → …": the left of an opening arrow
    "slack_message": 0.6,
    "inbound": 0.7,
    "uptime": 0.9,  # "goes down", "stops loading": whatever the page is about
    "sheet": 0.8,  # "when a row in the sheet is marked Approved"
    "slack_post": 0.9,  # "when someone posts … in #expenses"
    "form_event": 0.8,  # "pays the deposit through our typeform", "abandons checkout on shopify"
    "watch": 0.9,  # "watch this competitor's store": nothing pushes, whatever the app
    "sync": 1.0,  # "keep X in sync with Y" with no time or event named (docs/eval-labels.md)
    "webhook": 0.3,
    "poll": 0.3,
    "event": 0.2,
    "default": 0.0,
}


# Below this, the model's trigger for a request whose words name no start is a guess.
UNSURE = 0.4

# The model may only pick a trigger whose subject the request mentions: "a customer signs up"
# is no Stripe event unless Stripe, a payment or a subscription is named.
_EVIDENCE = {
    "stripe": r"\bstripe\b|\bpay\w*|\binvoice|\bsubscri\w*|\bcharge|\brefund|\bchargeback|"
    r"\bdisput\w*|\bbilling\b|\bcheckout\b|\bmrr\b|\bchurn|\brenewal|\bmembership",
    "email": r"\be-?mail|\binbox|\bmail\b|@|\bgmail|\boutlook|\bnewsletter|\bsubject\b",
    "slack": r"\bslack\b|#[\w-]|(?:^|\s)/[a-z]|\bmention|\bchannel|\breacts?\b|\bemoji",
    "poll": r"\brss\b|\bfeeds?\b|\bblogs?\b|\bnews\b|\bwatch|\bmonitor|\bkeep\s+an\s+eye|\btrack|"
    r"\breviews?\b|\bmentions?\b|\breddit|\bsheet|\bsync|\bnew\s+(?:rows?|posts?|items?|files?)|"
    r"\bcomments?\b|\bfacebook|\binstagram|\btwitter|\blinkedin|\byoutube|\btiktok|\bairtable|\bnotion",
    "interval": r"\bdown\b|\buptime|\boffline|\bunreachable|\bmonitor|\bcheck\w*|\bstatus\b",
}


def prediction_for(request: str) -> Prediction | None:
    """The model's guesses for a request, or None when the model file cannot be used."""
    try:
        return predict(request)
    except ModelFileError as exc:  # drafting goes on with the rules alone
        log.warning("drafting model unavailable: %s", exc)
        return None


# Where a request says what starts it ("when someone cancels their registration, refund them"),
# the start's evidence is looked for in those words, not in what the workflow then does.
# The verbs that begin what the workflow does, ending the words that say what starts it; after
# a comma also words that are nouns elsewhere ("when a bill is approved, schedule the payment").
_THEN = r"(?:then\s+|automatically\s+|also\s+|just\s+|please\s+|pls\s+)?"
_START_ENDS = (
    ACTION_VERBS + r"|refund|make|turn|copy|text|message|cancel|delete|remove|archive|charge|"
    r"generate|pull|push|sync|close|give|pay|approve|translate|summari[sz]e|classify|upload"
)
_AFTER_COMMA = r"schedule|book|check|open|call|draft|tag|invoice|record|store|write|find|look"
_START_CLAUSE = re.compile(
    r"\b(?:when|whenever|if(?=\s+(?:a|an|someone|somebody|anyone|any|new|our|one\s+of)\b)|once|"
    r"each\s+time|every\s+time|any\s*time|as\s+soon\s+as|"
    r"the\s+(?:moment|minute|second)|right\s+(?:after|when)|(?:for|on|with|after)\s+(?:each|every)|"
    r"at\s+the\s+end\s+of\s+(?:each|every))\s+(?!(?:it|one(?!\s+of\b)|they|these|those|this|that)\b)"
    r"(?:[^.;!?>→:,\s]|\s+(?!" + _THEN + r"(?:" + _START_ENDS + r")\b)|"
    r",(?!\s*" + _THEN + r"(?:" + _START_ENDS + r"|" + _AFTER_COMMA + r")\b)\s*)*"
)
_TO_SLACK = (
    r"\b(?:to|into|onto)\s+(?:our\s+|the\s+|my\s+)?(?:company\s+|team\s+|work\s+)?slack\b"
    r"(?:\s+channel)?"
)
# A sheet the workflow writes to is where it ends, not something to watch.
_TO_SHEET = (
    r"\b(?:to|into|onto|in)\s+(?:a|an|the|our|my)\s+(?:[\w-]+\s+){0,2}(?:sheet|spreadsheet)s?\b"
)


# Someone joining a mailing list subscribes to no paid plan: "new newsletter subscriber",
# "subscribes to our mailchimp list".
_LIST_SUBSCRIBER = (
    r"\b(?:newsletter|mailing\s+list|email\s+list|list|mailchimp|youtube|channel|podcast|blog)\s+"
    r"subscri\w*|\bsubscri\w*\s+to\s+(?:our|the|my)\s+(?:[\w-]+\s+){0,2}(?:newsletter|list|"
    r"mailing\s+list|channel|blog|podcast|updates)\b"
)


def start_words(text: str) -> str:
    """The words saying what starts the workflow, or the whole request when none stand out
    (or when they point back at an earlier sentence: "… emails. When one arrives, …")."""
    match = _START_CLAUSE.search(text)
    if match and len(match.group(0).split()) >= 3:
        return match.group(0)
    left = re.split(r"->|→|=>", text, maxsplit=1)
    return left[0] if len(left) == 2 and len(left[0].split()) >= 2 else text  # "X -> Y": X


def choose_trigger(
    reading: TriggerReading, prediction: Prediction | None, text: str, quoted: list[str]
) -> TriggerReading:
    """The rules' reading, or the model's trigger when it is the more likely one."""
    if prediction is None:
        return reading
    start = start_words(text)
    scores = {
        kind: p
        for kind, p in prediction.trigger.items()
        if kind == reading.kind or kind not in _EVIDENCE or _evident(kind, start)
    }
    if reading.kind in {"webhook", "email"} and reading.rule != "default":
        scores.pop("manual", None)  # the words name an event that starts it: not only by hand
    if reading.kind == "manual" and reading.rule == "default" and _happens(text):
        # "when leave is approved, …", "when stock comes back on a product, …": something
        # happening starts it, though no rule knows what; not a button
        scores.pop("manual", None)
        scores["webhook"] = scores.get("webhook", 0.0) + UNSURE
    scores[reading.kind] = scores.get(reading.kind, 0.0) + RULE_WEIGHT.get(reading.rule, 0.3)
    best = max(scores, key=lambda kind: scores[kind])
    if best == reading.kind:
        return reading
    if reading.rule == "default" and scores[best] < UNSURE:
        return reading  # no words name a start and the model is guessing: started by hand
    return reading_for(best, text, quoted) or reading


# A start clause that is a person's own doing or a time: "when i ask", "whenever i need to",
# "when it's 9am", "when the day ends".
_BY_HAND_OR_TIME = (
    r"^\W*(?:when|whenever|once|every\s+time|each\s+time|as\s+soon\s+as)\s+(?:i|we)\s+(?:ask|"
    r"click|press|hit|need|want|say|tell|run|trigger|type|choose|decide|feel|get\s+round|remember|"
    r"am\s+ready|'m\s+ready|are\s+ready)\b|"
    r"\b(?:it'?s|it\s+is)\s+(?:\d|noon|midnight|morning|evening|night|time)|"
    r"\b(?:the\s+)?(?:day|week|month|quarter|year|shift)\s+(?:ends|starts|begins|closes)\b|"
    r"\bneeded\b|\bon\s+demand\b"
)


def _happens(text: str) -> bool:
    """Whether the request opens with something happening that starts it ("when leave is
    approved, …"), not a person's own doing or a time."""
    match = _START_CLAUSE.search(text)
    if match is None or match.start() > 3 or len(match.group(0).split()) < 3:
        return False
    if not has(
        match.group(0),
        r"^\W*(?:when|whenever|once|every\s+time|each\s+time|as\s+soon\s+as|"
        r"the\s+(?:moment|minute)|right\s+after|after)\b",
    ):
        return False  # "for every website that cites us": records gone through, not an event
    return not has(match.group(0), _BY_HAND_OR_TIME)


def _evident(kind: str, start: str) -> bool:
    """Whether the words saying what starts the workflow mention this trigger's subject."""
    if kind == "poll":
        start = reviews_not_read_masked(re.sub(_TO_SHEET, " ", start))  # "leave us a review"
    if kind == "stripe":
        if other_payment_provider(start):
            return False  # "new paypal payment": PayPal's event
        start = re.sub(_LIST_SUBSCRIBER, " ", start)
    if kind == "slack":  # "… notifications to our company slack": where it ends, not a start
        start = re.sub(_TO_SLACK, " ", start)
    return has(start, _EVIDENCE[kind])


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
