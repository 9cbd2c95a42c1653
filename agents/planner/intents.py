"""What starts the workflow (trigger detection) and which tools a request names or implies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from agents.planner.schedule import find_schedule
from agents.planner.text import has, sync_meetings_masked
from agents.planner.tools import CRM_SOURCES, EXTERNAL_TOOLS
from workflows.emoji import EMOJI

CRM_NAMES = r"\b(?:" + "|".join(map(re.escape, CRM_SOURCES)) + r")\b"
SHEET_NAMES = r"\b(?:google\s+sheets?|spreadsheets?|sheets?|excel|\w+\s+tab)\b"
STRIPE_NAMES = (
    r"\b(?:stripe|invoices?|payments?|subscriptions?|pay(?:ment)?\s+links?|billing\s+plans?)\b"
)
SOCIAL = (
    r"\b(?:rss|feeds?|reddit|twitter|tweets?|x\.com|mastodon|bluesky|linkedin|hacker\s*news|"
    r"google\s+news|news|blogs?|g2|capterra|trustpilot|app\s+store|play\s+store|podcasts?)\b|"
    # mentions online, not what a ticket or an email mentions ("a ticket that mentions an outage")
    r"(?<!\bticket\s)(?<!\btickets\s)(?<!\bemail\s)(?<!\be-mail\s)(?<!\bemails\s)(?<!\bmessage\s)"
    r"(?<!\bmessages\s)(?<!\bticket\sthat\s)(?<!\btickets\sthat\s)(?<!\bemail\sthat\s)"
    r"(?<!\bemails\sthat\s)(?<!\bmessage\sthat\s)(?<!\bmessages\sthat\s)(?<!\bit\s)"
    r"(?<!\brequest\s)(?<!\bnote\s)(?<!\bchat\s)(?<!\bcall\s)\bmentions?\b|"
    # reviews people leave on a site, not "a review request" or "ask them for a review"
    # nor code review: "PRs needing review", "requests my review", "awaiting review"
    r"(?<!\bleave\sa\s)(?<!\bfor\sa\s)(?<!\bwrite\sa\s)(?<!\bneed\s)(?<!\bneeds\s)"
    r"(?<!\bneeding\s)(?<!\bawaiting\s)(?<!\bpending\s)(?<!\bmy\s)(?<!\bcode\s)(?<!\bfor\s)"
    # nor a person's or a contract's review: "probation review date", "annual performance review"
    r"(?<!\bprobation\s)(?<!\bperformance\s)(?<!\bannual\s)(?<!\bsalary\s)(?<!\bcontract\s)"
    r"(?<!\baccess\s)(?<!\bsecurity\s)(?<!\bcompliance\s)(?<!\bpolicy\s)(?<!\bpay\s)"
    r"(?<!-)\breviews?\b(?!-)"
    r"(?!\s+(?:requests?|e-?mails?|invit\w*|links?|reminders?|asks?|dates?|meetings?|forms?|"
    r"cycles?|periods?))"
)
_SOCIAL_SITE = r"(?:twitter|x|linkedin|facebook|instagram|mastodon|bluesky|threads|discord|tiktok)"
# Where the workflow posts, not what it reads: "repost it to facebook, twitter and linkedin",
# "tweet it", "send linkedin inmails", "publish the announcement on our twitter".
_SOCIAL_TARGET = re.compile(
    r"\b(?:post|repost|share|publish|tweet|cross-?post|send|announce|put|add|follow)\w*\s+"
    r"(?:(?!(?:blogs?|feeds?|rss|news|when|whenever|if)\b)[\w'-]+\s+){0,8}?"
    r"(?:on|to|onto|in)\s+(?:our\s+|my\s+|the\s+)?"
    + _SOCIAL_SITE
    + r"(?:\s+(?:page|account|feed|list|audience))?"
    r"(?:\s*(?:,|and|&|or)\s*(?:our\s+)?(?:tweet\s+it|" + _SOCIAL_SITE + r"))*\b|"
    r"\btweet\s+(?:it|them|this|that|the\s+\w+)\b|"
    r"\b" + _SOCIAL_SITE + r"\s+(?:inmails?|dms?|direct\s+messages?|connection\s+requests?)\b"
)


# Reviews written, not read: "asking them to leave us a google review", "put up 10 five star
# reviews"; review as a verb: "a draft reply we can review before sending", "the required review".
_REVIEWS_NOT_READ = re.compile(
    r"\b(?:leave|leaving|write|writing|post|posting|put\s+up|submit|give|drop)\s+(?:us\s+|me\s+)?"
    r"(?:a\s+|an\s+|some\s+|\d+\s+|[a-z]+\s+)?(?:[\w-]+\s+){0,3}?reviews?\b|"
    r"\b(?:can|to|will|we|i|you|please|must|should|could)\s+review\b|"
    r"\breview\s+(?:it|them|this|that|before|first|each|every)\b|\brequired\s+reviews?\b|"
    # "my linkedin connections (i exported them)": a list of people, not posts to read
    r"\blinkedin\s+(?:connections?|contacts?|network|people|profiles?|exports?|sales\s+nav\w*)\b|"
    r"\b(?:off|from)\s+(?:of\s+)?linkedin\s+(?:sales\s+nav\w*|profiles?|people|search(?:es)?)\b"
)


def reviews_not_read_masked(text: str) -> str:
    """`text` without reviews people are asked to write ("leave us a review") and review as a
    verb ("a reply we can review"): no reviews are read there."""
    return _REVIEWS_NOT_READ.sub(" ", text)


def reads_social(text: str) -> bool:
    """Whether the request reads feeds, blogs, news or social sites (not only posts to them)."""
    return has(_REVIEWS_NOT_READ.sub(" ", _SOCIAL_TARGET.sub(" ", text)), SOCIAL)


_SLASH = re.compile(r"(?:^|\s)/([a-z][a-z0-9_-]{1,30})\b(?!\s*(?:endpoint|api|route|page|url))")
# "our dashboard's /healthcheck", "keep pinging /status": a path on a site, not a Slack command
_PATH_BEFORE = re.compile(
    r"(?:'s|\b(?:ping\w*|hit\w*|call\w*|poll\w*|check\w*|fetch\w*|load\w*))\s*$"
)
_MENTION = (
    r"(?:@?mentions?|tags?|pings?)\s+(?:the\s+|our\s+)?(?:bot|levqor|app|assistant)\b|"
    r"\b(?:the\s+|our\s+)?(?:bot|levqor)\s+(?:is|gets|get)\s+(?:@?mentioned|tagged|pinged)\b|"
    r"@levqor\b"
)
# An emoji put on a message: "when someone reacts ✅ to one of the alerts in #deals", "adds a
# :fire: reaction", "reacts with a thumbs up".
_BY_CHARACTER = {e.replace("\ufe0f", ""): name for name, e in EMOJI.items()}
_EMOJI_WORDS = {
    "thumbs up": "+1", "thumbs-up": "+1", "thumbsup": "+1", "thumbs down": "-1",
    "thumbs-down": "-1", "check mark": "white_check_mark", "checkmark": "white_check_mark",
    "tick": "white_check_mark", "green tick": "white_check_mark", "eyes": "eyes", "fire": "fire",
    "heart": "heart", "star": "star", "rocket": "rocket", "party popper": "tada",
}  # fmt: skip
_EMOJI = (
    r"(?::(?P<named>[a-z0-9_+'-]{1,64}):|(?P<char>"
    + "|".join(sorted((re.escape(c) for c in _BY_CHARACTER), key=len, reverse=True))
    + r")|(?:an?\s+)?(?P<word>"
    + "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_EMOJI_WORDS, key=len, reverse=True)
    )
    + r")(?=\s+(?:emoji|reaction|react|on|to)\b))"
)
_REACTION = re.compile(
    r"\breact(?:s|ed|ing)?\s+(?:with\s+)?(?:an?\s+|the\s+)?" + _EMOJI + r"|"
    r"\b(?:adds?|added|puts?|leaves?|drops?|slaps?|gives?)\s+(?:an?\s+|the\s+)?"
    + _EMOJI.replace("?P<named>", "?P<named2>")
    .replace("?P<char>", "?P<char2>")
    .replace("?P<word>", "?P<word2>")
    + r"\s*(?:emoji\s+)?(?:reaction|react|emoji)\b"
)


def reaction_name(text: str) -> str | None:
    """The emoji a request says is put on a message (Slack's name for it), if any."""
    found = _REACTION.search(text.replace("\ufe0f", ""))
    if found is None:
        return None
    named = found.group("named") or found.group("named2")
    if named:
        return named
    char = found.group("char") or found.group("char2")
    if char:
        return _BY_CHARACTER[char]
    word = re.sub(r"\s+", " ", found.group("word") or found.group("word2") or "")
    return _EMOJI_WORDS.get(word)


_CHANNEL_MESSAGE = (
    r"\b(?:any|every|each|new|all)\s+(?:slack\s+)?(?:messages?|posts?)\s+(?:\w+\s+){0,2}?"
    r"(?:in|on)\s+(?P<channel>#[\w-]+)|"
    r"\b(?:when|whenever|if|once)\s+(?:someone|anyone|somebody|people|a\s+\w+)\s+(?:posts|writes|"
    r"says|asks|types|sends\s+a\s+message)\s+(?:\w+\s+){0,3}?(?:in|on|to)\s+(?P<channel2>#[\w-]+)|"
    r"(?<!\band\s)(?<!\bthen\s)(?<!\bto\s)(?<!\bplease\s)(?<!\bpls\s)"
    r"\b(?:messages?|posts?)\s+(?:in|on)\s+(?P<channel3>#[\w-]+)\s+(?=containing|that\s+contain|"
    r"with|mentioning|saying|about)|"
    r"^\W*(?:slack\s+)?(?:messages?|posts?)\s+(?:in|on)\s+(?P<channel4>#[\w-]+)|"
    # "watch #dev and #random and if someone posts 'token' …": the channel read for messages
    r"\b(?:watch|monitor|keep\s+an\s+eye\s+on|keep\s+watch\s+(?:on|over)|listen\s+(?:to|in)|scan)\s+"
    r"(?:slack\s+)?(?P<channel5>#[\w-]+)(?=[^.]{0,80}\b(?:posts?|messages?|says|writes|types|"
    r"mentions?|contain\w*)\b)"
)
_STRIPE_LOOSE = (
    (r"\bfail\w*|\bdeclin\w*|\bbounce", "invoice.payment_failed"),
    (r"\brefund", "charge.refunded"),
    (r"\bcancel\w*|\bchurn\w*", "customer.subscription.deleted"),
    (r"\bsubscri\w*|\bsign\w*\s+up", "customer.subscription.created"),
    (r"\bdisput\w*|\bchargebacks?", "charge.dispute.created"),
    (r"\bpayouts?\b", "payout.paid"),
    (r"\binvoices?\b[^.]{0,20}\bpaid|\bpaid\b", "invoice.paid"),
    (r"\bpayments?\b|\bsales?\b|\borders?\b|\bcharges?\b", "payment_intent.succeeded"),
)
_STRIPE_IMPORTANT = (
    "invoice.payment_failed",
    "charge.dispute.created",
    "customer.subscription.deleted",
)
_INBOUND = (
    r"(?:lands?|landing|arrives?|arriving|comes?|coming|sent|goes|go|forwarded)\b[^.]{0,30}?"
    r"\b(?:in|into|at|to)\s+(?:the\s+|our\s+)?([\w.+-]+@[\w.-]*)",
    r"([\w.+-]+@[\w.-]*)\s+(?:inbox|mailbox|emails?|mail|address)\b",
    r"(?:responder|auto-?reply|auto-?respond\w*|replies|reply)\s+(?:for|to|on|in)\s+(?:whatever\s+)?"
    r"(?:lands\s+in\s+)?([\w.+-]+@[\w.-]*)",
    r"\b(?:when|whenever|if|once)\s+([\w.+-]+@[\w.-]+)\s+(?:emails|mails|writes|sends)\b",
    r"\b(?:who|that|which|someone|anyone)\s+(?:e?mails?|writes?\s+to)\s+(?:us\s+at\s+)?([\w.+-]+@[\w.-]*)",
    r"\b(?:in|into|at)\s+(?:our\s+|the\s+)?([\w.+-]+@)(?![\w.-])",
    r"\be?mails?\s+(?:that\s+)?(?:(?:are\s+)?sent\s+)?(?:to|at|into|in)\s+([\w.+-]+@[\w.-]*)",
    r"\b([\w.+-]+@[\w.-]*)\s+(?:gets|receives|get|receive)\s+(?:an?\s+|any\s+|new\s+)?"
    r"(?:e-?mails?|messages?|mail)\b",
    r"\b(?:when|whenever|if|once)\s+(?:a\s+|an\s+|the\s+|any\s+|our\s+)?(?:[\w.-]+\s+){0,2}?"
    r"e-?mails\s+([\w.+-]+@[\w.-]*)",
    r"\b(?:hits?|reaches)\s+(?:the\s+|our\s+)?([\w.+-]+@[\w.-]*)",
    # "support@ gets french, german…", "support@ inbox: …": the request opens on the mailbox
    r"^\W*([\w.+-]+@[\w.-]*)\s*(?:gets|receives|inbox\b|mailbox\b|:|->|→)",
    # "supplier invoices to invoices@ → …": what is sent to a mailbox, left of an arrow
    r"^(?!\W*(?:send|e-?mail|mail|forward|reply|write|post)\b)[^.>→]{0,60}?\bto\s+(?:our\s+|the\s+)?"
    r"([\w.+-]+@[\w.-]*)\s*(?:->|→|=>)",
)
_INBOUND_GENERIC = (
    r"\b(?:incoming|inbound)\s+e?mails?\b|\b(?:when|whenever|each time|every time)\s+(?:we|i)\s+"
    r"(?:get|receive)\s+an?\s+e?mail|\be?mails?\s+(?:that\s+)?(?:comes?|arrives?|lands?)\b|"
    r"\b(?:our|the|my)\s+(?:[\w-]+\s+)?(?:inbox|mailbox)\b|"
    r"(?:^|[.!?]\s*|\b(?:any|all|every|each|new)\s+)e?-?mails?\s+from\b|\b(?:someone|anyone|a\s+\w+|they|people|customers?|"
    r"leads?|prospects?)\s+repl(?:y|ies)\s+(?:['\"“][^'\"”]{1,30}['\"”]\s+)?to\s+(?:one\s+of\s+|any\s+of\s+)?(?:our|an?|the|my)\b|\b(?:in|into|to)\s+(?:our\s+|my\s+)?(?:gmail|outlook)\b|"
    # "when a customer emails us", "when F5Bot emails me a Reddit alert", "supplier emails the list"
    r"\b(?:when|whenever|if|once)\s+(?:a\s+|an\s+|the\s+|any\s+|our\s+)?(?:[\w.-]+\s+){0,2}?"
    r"e-?mails\s+(?:us|me|in|asking|about|with|to\s+(?:us|me)|the|a|an|their|our)\b|"
    r"\b(?:supplier|vendor|client|customer|accountant|bank|partner)s?\s+e-?mails?\s+(?:us|me)\b|"
    # "whenever a lead sends us an email", "when a client writes to us"
    r"\b(?:when|whenever|if|once|each\s+time|every\s+time)\s+(?:a\s+|an\s+|the\s+|any\s+|our\s+)?"
    r"(?:[\w.-]+\s+){0,2}?(?:sends?\s+(?:us|me)\s+(?:an?\s+)?e-?mail|writes?\s+to\s+(?:us|me))\b|"
    # "invoice emails with a PDF attached → …", "for every new email in my inbox"
    r"^\W*(?:for\s+)?(?:every|each|any|all|new)?\s*(?:[\w-]+\s+){0,2}e-?mails?\s+(?:with|containing|"
    r"that\s+(?:have|contain|include|mention))\b|"
    r"\b(?:read|check|go\s+through|process|triage|handle)\s+(?:the\s+|all\s+|any\s+|new\s+)?"
    r"(?:e-?mail\s+)?replies\b|\bgmail\s*:"
)
# "their manager gets an email at x@y.com" names a recipient, not a mailbox mail arrives at.
_OUTBOUND_BEFORE = r"\b(?:gets?|receives?|sends?|send)\s+(?:\w+\s+)?an?\s*$"
_WE_RECEIVE_BEFORE = r"\b(?:we|i)\s+(?:\w+\s+)?(?:gets?|receives?)\s+(?:\w+\s+)?an?\s*$"
_STRIPE_EVENTS = (
    (r"\b(?:payments?|charges?|cards?)\s+(?:keeps?\s+|keep\s+on\s+)?(?:fails?|failed|failing|"
     r"(?:is|gets|got|was)\s+(?:hard[\s-]|soft[\s-])?declined|"
     r"declines?|declining|bounces?|bouncing)|"
     r"\bfailed\s+(?:payment|charge)", "invoice.payment_failed"),
    (r"\binvoices?\s+(?:goes|go|is|becomes|gets)\s+overdue|\bwhen\b[^.]{0,30}\boverdue\b",
     "invoice.overdue"),
    (r"\bnew\s+(?:stripe\s+)?subscri\w+|\bsubscri\w+\s+(?:is\s+)?(?:created|starts?)|"
     r"\b(?:someone|customer|they)\s+subscribes?\b", "customer.subscription.created"),
    (r"\b(?:buys?|purchases?|pays?\s+for|checks?\s+out)\b[^.]{0,60}\b(?:through|via|on|with|in)\s+stripe|"
     r"\bcheckouts?\s+(?:session\s+)?(?:is\s+)?(?:completes?|completed|succeeds?|succeeded|finishes)",
     "checkout.session.completed"),
    (r"\b(?:subscriptions?|subs?)\s+(?:is\s+|are\s+|gets?\s+|was\s+|were\s+|has\s+been\s+)?"
     r"cancel\w*|\bcancels?\s+(?:their|a)\s+(?:subscription|sub)\b|"
     r"\bstripe\s+cancels?\s+(?:a|the|their)\s+(?:subscription|sub)\b",
     "customer.subscription.deleted"),
    (r"\bwhen\b[^.]{0,40}\brefund(?:ed|s)?\b", "charge.refunded"),
    (r"\b(?:dispute|chargeback)s?\b", "charge.dispute.created"),
    (r"\b(?:new|when\s+a)\s+(?:stripe\s+)?customer\s+(?:is\s+created|signs?\s+up)\s+(?:in|on)\s+stripe|"
     r"\bnew\s+(?:stripe\s+)?customers?\s+(?:in|on|from)\s+stripe|\bnew\s+stripe\s+customers?\b",
     "customer.created"),
    (r"\b(?:payments?|charges?)\s+(?:succeeds?|succeeded|is\s+received|comes\s+in|goes\s+through)|"
     r"\b(?:new|successful)\s+(?:stripe\s+)?payments?\b|"
     # "when stripe confirms a payment", "a charge is captured": said by what Stripe does
     r"\bstripe\s+(?:confirms?|reports?|records?|registers?|processes?|captures?)\s+(?:a|an|the|each|"
     r"every|any|their)\s+(?:new\s+)?(?:payments?|charges?)\b|"
     r"\b(?:payments?|charges?)\s+(?:is\s+|gets?\s+|are\s+|was\s+)?(?:confirmed|captured)\b",
     "payment_intent.succeeded"),
    (r"\binvoices?\s+(?:is\s+)?paid\b|\bpays?\s+(?:an?\s+|their\s+)?invoice", "invoice.paid"),
    (r"\bpayouts?\b[^.]{0,20}\b(?:lands?|landed|arrives?|arrived|paid|comes?\s+in|hits?|is\s+sent)\b|"
     r"\bnew\s+(?:stripe\s+)?payouts?\b", "payout.paid"),
    (r"\bcards?\s+(?:on\s+file\s+)?(?:is\s+|are\s+)?(?:about\s+to\s+|going\s+to\s+)?(?:expir\w*)|"
     r"\bexpiring\s+cards?\b", "customer.source.expiring"),
    (r"\btrials?\s+(?:is\s+)?(?:ends?|ending|expires?|expiring|about\s+to\s+end|runs?\s+out|"
     r"running\s+out|is\s+(?:up|over))|"
     r"\btrial[-\s]will[-\s]end",
     "customer.subscription.trial_will_end"),
)  # fmt: skip
_WEBHOOK = (
    r"\bwebhooks?\b|\bforms?\b|\bsubmission|\bsubmits?\b|\bsigns?\s+up\b|\bsign-?ups?\b|"
    r"\blead\s+ads?\b|\btypeform\b|\bjotform\b|\btally\b|\bcalendly\b|\bwebflow\b|"
    r"\b(?:new|any|each|every)\s+(?:\w+\s+){0,2}orders?\b|\borders?\s+(?:is\s+|are\s+)?"
    r"(?:placed|created|comes?\s+in|over)\b|\bcheckout\b|\b(?:deal|contact|lead)s?\s+(?:goes|moves|"
    r"is\s+moved|changes|is\s+marked|gets\s+marked|hits|reaches)\b|"
    r"\bclosed[- ]won\b[^.]{0,20}\bwhen\b|"
    r"\bwhen\s+a\s+deal\b|\bnew\s+leads?\s+from\b|\bbooking\s+is\s+made|\bbooks?\s+a\b|"
    r"\bsubmitted\b|\bdeals?\s+(?:is\s+|are\s+|gets?\s+)?(?:won|lost|closed)\b|"
    r"\b(?:new|any|each|every)\s+(?:[\w.']+\s+){0,2}(?:tickets?|conversations?|chats?|bookings?|"
    r"appointments?|meetings?|responses?|submissions?|entries|entry|applications?|applicants?|"
    r"candidates?|hires?|employees?|subscribers?|signups?|registrations?|deals?|purchases?|"
    r"requests?|enquir(?:y|ies)|inquir(?:y|ies)|calls?|pushes|pull\s+requests?|prs?|releases?|"
    r"payments?|transactions?|donations?|sales?)\b|"
    # "every time someone stars our repo", "people who dm our instagram"
    r"\b(?:stars?|forks?|watches)\s+(?:our|the|a|my)\s+(?:[\w-]+\s+)?(?:repo|repository|project)\b|"
    r"\bwho\s+(?:dm|dms|messages?|texts?|writes?\s+to|comments?\s+on)\s+(?:us|our|me|my)\b|"
    # "a whatsapp bot that replies to customer questions": each message to the bot starts it
    r"\b(?:whatsapp|telegram|messenger|instagram|discord|sms|text|chat|support)\s+bot\s+(?:that|which|to)\s+"
    r"(?:replies|answers|responds|reply|answer|respond|handles|talks)\b|"
    # "incoming telegram messages", "new whatsapp messages": a message arriving in an app
    r"\b(?:incoming|new|any|each|every)\s+(?:[\w.']+\s+){0,2}(?:messages?|texts?|dms?|voice\s+notes?)"
    r"\b(?![^.]{0,15}#)|"
    # "every new paying customer in square", "send new hubspot contacts", "each new one"
    r"\bnew\s+(?:[\w.']+\s+){0,2}?(?:customers?|clients?|users?|members?|contacts?|patients?|"
    r"students?|donors?|donations?|guests?|buyers?|sales?|one)\b|"
    # "when alertmanager fires an alert", "on every push to main in github"
    r"\bwhen(?:ever)?\s+[\w.-]+\s+(?:fires|sends\s+(?:us\s+)?an?|triggers|raises|emits)\b|"
    r"\bon\s+(?:every|each)\s+(?:push|commit|merge|pull\s+request|pr|release|deploy\w*)\b|"
    # "the moment someone requests my review on a github PR": GitHub sends its events
    r"\bgithub\b[^.]{0,40}\b(?:prs?|pull\s+requests?|issues?|pushe?s?|commits?|releases?|stars?|"
    r"forks?|merged?|reviews?)\b|\b(?:prs?|pull\s+requests?|issues?)\b[^.]{0,30}\b(?:on|in)\s+github\b|"
    r"\babandon\w*\s+(?:their\s+|a\s+|the\s+)?(?:cart|checkout|basket)|"
    + r"\b(?:new|any|each|every)\s+"
    + EXTERNAL_TOOLS
    + r"|"
    + EXTERNAL_TOOLS
    + r"[^.]{0,30}\b(?:is\s+|are\s+|gets?\s+)?(?:created|submitted|comes?\s+in|received|booked|"
    r"cancel+ed|updated|tagged|closed|added|completed|placed|refunded|shipped|fulfilled)\b"
)
_POLL = (
    SOCIAL + r"|\b(?:watch|monitor|keep\s+an\s+eye|keep\s+tabs|track)\b|"
    r"\bwhen\s+(?:anything|something|a\s+row|any\s+row|a\s+value|an?\s+item|stock)\b[^.]{0,40}"
    r"\b(?:sheet|drops?|falls?|goes|changes?|added|below|above)\b"
)
_TABLE = r"(?:rows?|sheet|spreadsheet|cells?|columns?|tab)"
_EVENT_WORD = r"\b(?:when\w*|any\s*time|each\s+time|every\s+time|as\s+soon\s+as|once)\b"
_SHEET_CHANGE = (
    # "new hire row in the onboarding sheet -> …": a row appearing, the request's start
    r"^\W*(?:(?:a|each|every|any)\s+)?new\s+(?:[\w-]+\s+){0,2}?rows?\s+(?:in|on|added\s+to)\s+"
    r"(?:the|our|my)\s+(?:['\w-]+\s+){0,3}?(?:google\s+)?(?:sheet|spreadsheet|tracker)\b|"
    + _EVENT_WORD
    + r"[^.]{0,40}\b"
    + _TABLE
    + r"\b[^.]{0,30}"
    r"\b(?:added|changes?|changed|updated|edited|drops?|falls?|below|above|hits?|reach\w*|"
    r"runs?\s+out|appears?|is\s+empty|becomes?|(?:is|are|gets?)\s+(?:marked|set|ticked|checked|"
    r"flagged|moved|approved))\b|"
    # "when a candidate gets moved to 'Interview' in the hiring sheet"
    + _EVENT_WORD
    + r"[^.]{0,60}\b(?:gets?|is|are)\s+(?:moved|marked|set|changed|updated|flagged|ticked)\b"
    r"[^.]{0,40}\bin\s+(?:the|our|my)\s+(?:[\w'-]+\s+){0,2}(?:sheet|spreadsheet|tracker|airtable|"
    r"notion|database|table)\b|"
    # rows of a table app are watched like a sheet's: "when a baserow row is created"
    + _EVENT_WORD
    + r"[^.]{0,40}\b(?:airtable|baserow|nocodb|seatable|notion|coda|grist|smartsheet)\s+"
    r"(?:rows?|records?|entr(?:y|ies))\b|"
    + _EVENT_WORD
    + r"[^.]{0,30}\b(?:rows?|records?)\b[^.]{0,30}\b(?:in|to|on)\s+(?:our\s+|the\s+|my\s+)?"
    r"(?:airtable|baserow|nocodb|seatable|coda|grist|smartsheet)\b|"
    # "every new row should become a contact", "each new line in the sheet"
    r"\b(?:every|each|any)\s+new\s+(?:rows?|lines?|entr(?:y|ies)|records?)\b|"
    # "the address goes into column A of a sheet. send each new one …"
    r"\b(?:go|goes|land|lands|end\s+up|ends\s+up|get\s+added|is\s+added|are\s+added)\s+"
    r"(?:in|into|on|to)\b[^.]{0,40}\b(?:sheet|spreadsheet)\b[^!?]{0,80}\b(?:each|every)\s+new\b"
)
# The event is a person editing a table: "when I type REFUND in column H", "when I flip a page
# in our Notion calendar to 'Ready'", "any time someone changes a row in the Inventory sheet".
_TABLE_EDIT = (
    _EVENT_WORD + r"\s+(?:i|we|someone|somebody|anyone|anybody|a\s+\w+|they)\s+"
    r"(?:\w+\s+){0,1}(?:type|types|typed|put|puts|enter|enters|tick|ticks|check|checks|mark|marks|"
    r"set|sets|flip|flips|change|changes|edit|edits|update|updates|move|moves|fill|fills|add|adds)"
    r"\b[^.,;]{0,40}\b(?:(?:in|into|on|to)\s+(?:the\s+|a\s+|our\s+|my\s+)?(?:column|cell|row|tab|"
    r"sheet|spreadsheet|notion|airtable|database|table)|(?:column|cell|row)s?\b)"
)
# A place that keeps records and pushes nothing: what appears or changes there is looked for
# (docs/eval-labels.md: rows of a sheet, Notion or Airtable, files in a Drive folder, rows of our
# own database). Said in the "when …" clause: "when a new page gets added to our notion content
# calendar", "whenever a new record gets saved in our postgres".
_STORE = (
    r"(?:google\s+)?(?:sheets?|spreadsheets?|notion|airtable|baserow|nocodb|seatable|coda|grist|"
    r"smartsheet|postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|supabase|firebase|database|db|"
    r"(?:drive|dropbox|onedrive|sharepoint|box|s3|sftp|ftp)(?:\s+(?:folder|list|bucket))?|"
    r"sharepoint\s+list|folder\s+on\s+(?:google\s+)?drive)"
)
_IN_A_STORE = (
    r"\b(?:added|created|saved|stored|updated|edited|changed?|changes|marked|moved|archived|"
    r"deleted|removed|lands?|shows?\s+up|appears?|gets?\s+\w+ed|is\s+\w+ed|drop|drops|put|puts|"
    r"upload\w*)\b[^.]{0,40}?\b(?:in|to|into|on|inside)\s+(?:our|the|my|a|their)\s+"
    r"(?:[\w'-]+\s+){0,3}?" + _STORE + r"\b"
    # "when a task in our notion tasks db changes to …", "new row in our coda table"
    r"|\b(?:in|on)\s+(?:our|the|my)\s+(?:[\w'-]+\s+){0,2}?" + _STORE + r"(?:\s+[\w'-]+){0,2}?\s+"
    r"(?:changes?|gets?|is|are)\b"
)
_UPTIME = (
    r"\b(?:site|website|server|api|app|endpoint|service)\s+(?:goes|is|went)\s+down\b|\buptime\b|"
    r"\bhealth\s*-?checks?\s+(?:fails?|failed|failing|goes\s+red|is\s+red|breaks?)\b|"
    # "keep pinging our dashboard's /healthcheck … if it starts failing"
    r"\b(?:keep\s+)?(?:ping|pinging|poll|polling|hit|hitting|check|checking)\s+(?:our\s+|the\s+|my\s+)?"
    r"(?:[\w'.-]+\s+){0,3}?(?:/[\w/-]*health\w*|health\s*-?checks?)\b|"
    r"\b(?:site|website|page|server|api|app|endpoint|service|store|shop|portal)\b(?:[^.]|\.(?=\w)){0,60}"
    r"\b(?:stops?\s+(?:loading|responding|working)|goes\s+offline|is\s+offline|unreachable|"
    r"(?:is\s+|goes\s+)?unavailable|times?\s+out)\b|"
    # "if our api response time goes over 2 seconds": a check that keeps timing it
    r"\b(?:response|load|page\s+load)\s+times?\b[^.]{0,30}\b(?:over|above|exceeds?|more\s+than|"
    r"goes\s+(?:over|above)|longer\s+than|slower\s+than)\b|\blatency\b[^.]{0,20}\b(?:over|above|"
    r"exceeds?|spikes?)\b|"
    # "when the server CPU goes above 90%", "disk usage over 80%": a value that keeps being read
    r"\b(?:cpu|memory|ram|disk|load|storage)(?:\s+(?:usage|use|load|space))?\b[^.]{0,25}\b(?:above|over|"
    r"exceeds?|goes\s+(?:above|over)|hits?|reach\w*|more\s+than|higher\s+than|>)\s*\d{1,3}\s?%"
)
# An outage told ahead ("when the service will be unavailable", "this saturday's maintenance")
# is news to send people, not a site to check.
ANNOUNCED_OUTAGE = (
    r"\bwill\s+be\s+(?:unavailable|down|offline)\b|\b(?:planned|scheduled)\s+(?:downtime|outages?|"
    r"maintenance)\b|\b(?:this|next|upcoming|tonight'?s|(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s|"
    r"weekend'?s)\s+(?:\w+\s+)?maintenance\b"
)


def announces_outage(text: str) -> bool:
    """Whether the request tells people about an outage ahead rather than watching for one."""
    return has(text, ANNOUNCED_OUTAGE)


# Watching a page or someone else's shop for changes: no push exists, so it is polled.
_WATCH_PAGE = (
    r"\b(?:watch|monitor|keep\s+an\s+eye\s+on|keep\s+tabs\s+on|track)\s+(?:this\s+|that\s+|the\s+|"
    r"our\s+|a\s+|their\s+|my\s+)?(?:[\w-]+'s\s+|[\w-]+\s+){0,2}(?:store|site|website|page|"
    r"shop|listings?|url|prices?|pricing|competitors?|catalog(?:ue)?)\b|"
    # "when we publish a changelog entry / blog post": our own feed
    r"\bwhen(?:ever)?\s+(?:we|i)\s+publish\w*\s+(?:a\s+|an\s+|the\s+|new\s+)*(?:[\w-]+\s+)?"
    r"(?:posts?|articles?|entr(?:y|ies)|episodes?|changelog|release\s+notes?)\b|"
    # "whenever anything changes on this page": nothing pushes a page's changes
    r"\b(?:anything|something|what)\s+(?:at\s+all\s+)?changes?\s+(?:on|in)\s+(?:this|that|the|our|a|"
    r"their|my)\s+(?:[\w-]+\s+){0,2}(?:page|site|website|url)\b|"
    # Stock levels are values to look at, not events: "drops below its reorder level"
    r"\b(?:stock|inventory|quantity|qty)\b[^.;]{0,40}\b(?:is\s+low|gets?\s+low|runs?\s+low|"
    r"(?:drops?|falls?|goes|dips?)\s+(?:below|under)|reach\w*)\b|"
    r"\b(?:re-?order|stock\s+warning|minimum\s+stock|safety\s+stock)\s+(?:level|point|"
    r"threshold)s?\b|"
    # "when a file is added to the dropbox 'invoices' folder": folders are looked at, not pushed
    r"\bfiles?\s+(?:is\s+|are\s+|gets?\s+)?(?:added|uploaded|dropped|saved|created|put|placed)\s+"
    r"(?:to|in|into)\s+(?:the\s+|our\s+|my\s+|a\s+)?(?:[\w'-]+\s+){0,3}folders?\b|"
    r"\bnew\s+files?\s+(?:in|on)\s+(?:the\s+|our\s+|my\s+|a\s+)?(?:[\w'-]+\s+){0,3}folders?\b"
)
# A figure that no app pushes crossing a line: "metered usage goes past their plan threshold",
# "someone's lead score goes past 50", "a show gets down to under 20 seats left", "the balance
# hits $1,000" (docs/eval-labels.md: a usage total, a balance or a count passing a number is
# looked at, `poll`).
_CROSSES = (
    r"\b(?:usage|lead\s+scores?|scores?|balances?|seats?|spots?|places|credits?|quota|followers|"
    r"subscribers|headcount|spend|spending|(?:ticket|seat|item|unit)\s+counts?)\b(?:\s+left)?"
    r"[^.;]{0,40}?\b(?:goes|go|went|gets?|got|drops?|falls?|dips?)\s+(?:past|over|above|below|"
    r"under|beyond|down\s+to|up\s+to)\b|"
    r"\b(?:usage|lead\s+scores?|balances?|credits?|quota|spend|spending)\b[^.;]{0,40}?\b(?:passes|"
    r"exceeds?|crosses|hits|reaches|tops)\s+(?:their|its|the|our|a|an|\$|£|€|\d)|"
    # "any show gets down to under 20 seats left", "drops below 5 spots remaining"
    r"\b(?:gets?|goes|drops?|falls?|dips?)\s+(?:down\s+)?(?:to\s+)?(?:under|below|less\s+than|fewer\s+than)\s+"
    r"\d{1,5}\s+(?:seats?|spots?|places|tickets?|rooms?|slots?|credits?)\s+(?:left|remaining|available)\b"
)
_SYNC = r"\b(?:in\s+sync|syncs?|two[- ]way|both\s+ways|matched\s+up)\b"
_PERSON = (
    r"(?:someone|somebody|anyone|a\s+(?:new\s+)?(?:customer|client|user|visitor|lead|member|subscriber|"
    r"patient|student|buyer|shopper|guest|employee|candidate|contact|donor|prospect|partner|vendor|"
    r"supplier|tenant|driver|volunteer|parent|player|attendee)|an\s+(?:employee|applicant|attendee))"
)
# "after someone books a trial class" names the event too ("after 2 days", "after a week" wait)
_AFTER_EVENT = (
    r"after\s+(?=(?:someone|somebody|anyone|each|every|new|a|an|the|our)\s)"
    r"(?!(?:a|an|one|the|each|every)\s+(?:few\s+|couple\s+of\s+)?(?:day|week|month|hour|minute|"
    r"year|while|bit|moment|wait)s?\b)"
)
_GENERIC_EVENT = (
    r"\b(?:when|whenever|once|each\s+time|every\s+time|any\s*time|as\s+soon\s+as|"
    r"the\s+(?:moment|minute|second)|right\s+(?:after|when))\s+(?:someone|somebody|a\s+\w+|an\s+\w+|"
    r"new|any|they|a\s+new|our\s+\w+)\b|"
    # "after someone opts in", "once people sign the form": a person doing something
    r"\b(?:after|once|when(?:ever)?)\s+(?:someone|somebody|anyone|people|ppl)\s+"
    r"(?!(?:is|was|has|have|had|should|must|can|could|will|would)\b)[a-z]{3,}\b|"
    # "ticket assigned to someone -> …", "demo form filled -> …": what happened, left of an arrow
    r"^\W*(?![^>→]*\b(?:every|each|daily|weekly|monthly|nightly)\b)(?:[\w'@.-]+\s+){1,5}?"
    r"(?!(?:need|want)ed\b)[a-z]{3,}ed\b[^.>→;]{0,40}(?:->|→)|"
    r"\bnew\s+\w+\s*->|\bif\s+" + _PERSON + r"\s+\w+|"
    # "when one of our vans leaves the depot", "if one of the printers runs low"
    r"\b(?:when(?:ever)?|if|once|as\s+soon\s+as)\s+one\s+of\s+(?:our|the|my|your|their)\s+"
    r"(?:[\w-]+\s+){0,2}?[\w-]+s\s+(?!(?:is|was|has|does|needs)\b)[a-z]{3,}s\b|"
    # "anyone who buys a class pass should …": each person doing it is the event
    r"\b(?:anyone|everyone|someone|somebody|people|customers?|users?|visitors?|members?)\s+who\s+"
    r"(?:buys?|purchases?|orders?|books?|signs?\s+up|registers?|subscribes?|joins?|donates?|"
    r"submits?|fills?\s+(?:in|out)|appl(?:y|ies)|enrol+s?|checks?\s+out|cancels?|unsubscribes?|"
    r"downloads?|completes?)\b|"
    # "new invoice in invoice ninja -> …", "new credit note in xero -> …": the arrow's left side
    r"^\W*(?:every\s+|each\s+|any\s+)?new\s+[^.>→,;]{1,50}(?:->|→)|"
    # "2-3 days after a customer collects their repair": the event, then a wait
    r"\b(?:\d{1,3}(?:\s*-\s*\d{1,3})?|a\s+few|a|one|two|three)\s+(?:hours?|days?|weeks?)\s+after\s+"
    + _PERSON
    + r"\s+\w+|"
    # "when scout generates a patient report", "when IT creates the google account"
    r"\bwhen(?:ever)?\s+(?!it\b|this\b|that\b|there\b|i\b|we\b|you\b)[a-z][\w.-]*\s+"
    r"(?!is\b|was\b|has\b|does\b|needs\b)[a-z]+(?<!s)s\s+(?:a|an|the|new|their|its|our|my)\b|"
    # "when the api throws 500 errors", "whenever our app logs an unhandled exception": the app
    # reports its own errors as they happen
    r"\b(?:when(?:ever)?|if|every\s+time|each\s+time|any\s*time|as\s+soon\s+as)\s+(?:[\w.-]+\s+){1,3}?"
    r"(?:throws?|raises?|logs?|emits?|hits?|reports?)\s+(?:an?\s+|any\s+|new\s+)?"
    r"(?:\d{3}\s+|unhandled\s+|uncaught\s+|fatal\s+|critical\s+|server\s+)?(?:errors?|exceptions?)\b|"
    # "when we add a new dev in the hr tool", "whenever i close a deal": something the team does
    r"\bwhen(?:ever)?\s+(?:we|i)\s+(?:add|create|hire|onboard|close|receive|get|sign|win|lose|log|"
    r"upload|finish|complete|approve|ship|move|mark|tag|assign|issue|register|invoice|cancel|"
    r"refund|update|delete|publish|post|launch|release|book|confirm|accept|reject|fulfil+)\s+"
    r"(?:a|an|the|new|our|someone|somebody|anyone)\b|"
    # "when my rallly poll is finalized", "once the contract is signed": a thing's state changes
    r"\b(?:when|whenever|once|as\s+soon\s+as|after)\s+(?:my|our|the|a|an|their|his|her|its|your|any|"
    r"each)\s+(?:[\w-]+\s+){0,3}?(?:is|are|gets?|"
    r"has\s+been|was)\s+(?:finali[sz]ed|closed|published|approved|submitted|completed|signed|confirmed|"
    r"resolved|merged|deployed|released|shipped|delivered|accepted|rejected|scheduled)\b|"
    # "when the last person has voted", "once everyone has signed"
    r"\b(?:when|once|after|as\s+soon\s+as)\s+(?:the\s+last\s+\w+|everyone|everybody|all\s+(?:of\s+)?\w+)\s+"
    r"(?:has|have)\s+[a-z]+ed\b|"
    # "once i close a poll", "after we ship an order"
    r"\b(?:once|after|as\s+soon\s+as)\s+(?:we|i)\s+(?:add|create|close|publish|ship|sign|approve|finish|"
    r"complete|book|confirm|accept|reject|send|release|launch)\s+(?:a|an|the|our|my)\b|"
    # "after a guest checks out of the cabin"
    r"\b" + _AFTER_EVENT + r"(?:someone|somebody|anyone|new|a|an|the|our)\s+[\w-]+\s+[a-z]+s\b|"
    # "at the end of each milestone", "after each job is done"
    r"\b(?:at\s+the\s+end\s+of|after|once|on\s+completion\s+of|upon)\s+(?:each|every)\s+"
    r"(?!(?:day|week|month|year|quarter|morning|evening|night|hour|minute|weekday|weekend|"
    r"business\s+day)\b)[a-z]+"
)
# The verbs a request's action starts with: where a "when …" clause ends and the work begins.
ACTION_VERBS = (
    r"(?:add|create|send|post|put|save|log|email|ping|notify|tell|update|move|mark|flag|forward|"
    r"reply|assign|share|drop|dm|alert|let|have|ask|thank|invite|remind)"
)
# Acts that end a "when …" clause as surely as "send" does: "when a member cancels delete their
# data" deletes; the cancelling is what happens.
_RISKY_VERBS = r"delete|remove|wipe|purge|erase|refund|archive|cancel|void|suspend|downgrade"
_EVENT_CLAUSE = re.compile(
    r"\b(?:when|whenever|once|each\s+time|every\s+time|as\s+soon\s+as|any\s*time|"
    + _AFTER_EVENT
    + r")\b[^,.;!?>→:]*?"
    # (not after "to": "asks to cancel, …" is what they ask, not the act)
    r"(?=[,.;!?>→:]|(?<!\bto)\s(?:then\s+)?(?:"
    + ACTION_VERBS
    + r"|"
    + _RISKY_VERBS
    + r"|make\s+sure|ensure)\b|"
    # "when a new order comes in text the customer": a text, a WhatsApp to someone is the act
    r"\s(?:text|sms|whatsapp|telegram|message)\s+(?:me|us|them|him|her|the|each|every|our|my)\b|"
    # "when a ticket gets tagged 'bad experience' give that customer a credit": handing out
    r"\s(?:give|issue|grant)\s+(?:that|the|this|each|every|them|him|her|it)\b|"
    # "when an issue gets the 'bug' label push it into jira": the act
    r"\s(?:push|copy|sync)\s+(?:it|them|that|this|the\s+\w+)\s+(?:to|into|onto|over|across)\b|"
    # "when a card payment fails retry charging it": the charge tried again is the act
    r"\s(?:retry|re-?try)\s+(?:charging|billing|the\s+(?:charge|payment|card))\b|"
    # "when a subscription is cancelled the user's files should be deleted": what must happen
    r"\s(?:the|their|its|his|her|our|all)\s+(?:[\w'-]+\s+){0,2}?(?:should|must|need\s+to|needs\s+to)\s+be\b|$)|"
    r"^\s*(?:new|any|each|every)\b[^,.;!?>→:]*(?=\s*(?:->|→|:|>))"
)
_POLL_URLS = (
    (r"\breddit\b", "https://www.reddit.com/search.rss?q={q}"),
    (r"\bgoogle\s+news\b|\bnews\b", "https://news.google.com/rss/search?q={q}"),
    (r"\bmastodon\b", "https://mastodon.social/tags/{q}.rss"),
    (r"\bbluesky\b", "https://bsky.app/search?q={q}"),
    (r"\bapp\s+store\b", "https://apps.apple.com/rss/customerreviews/json"),
)


_RECURRING = (
    r"\b(?:every|each)\s+(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|"
    r"\b(?:every|each)\s+(?:(?:other|second|third|few|couple\s+of|\d+|two|three|four|five|six|"
    r"twelve)\s+)?(?:day|week|weekday|weekend|month|quarter|year|morning|evening|night)s?\b|"
    r"\b(?:daily|weekly|fortnightly|biweekly|monthly|quarterly|yearly|annually|nightly)\b"
)


@dataclass
class TriggerReading:
    """The trigger a request implies, as a spec dict, plus the rule that decided it."""

    kind: str
    spec: dict[str, Any] = field(default_factory=dict)
    rule: str = "default"  # which rule of `detect_trigger` matched (how sure the words are)


# Reviews, mentions or listings someone asks to have watched: nothing pushes them, so they are
# looked at, even when the request goes on "when a new one comes in".
_WATCHED_FEED = (
    r"\b(?:watch|monitor|keep\s+an\s+eye\s+on|keep\s+tabs\s+on|track)\s+(?:our\s+|the\s+|my\s+)?"
    r"(?:[\w+&-]+\s+){0,3}?(?:reviews|mentions|feeds?|rss|listings|tenders)\b"
)


def detect_trigger(text: str, quoted: list[str], tools: set[str]) -> TriggerReading:
    """Pick the trigger for a normalised request (first matching rule wins, most specific first)."""
    slack = slack_reading(text)
    if slack is not None:
        return slack
    schedule = find_schedule(text)
    if schedule:
        rule = "schedule_clocked" if schedule.clocked else "schedule"
        if rule == "schedule" and has(text, _RECURRING):
            rule = "schedule_every"  # "every friday", "each month", "weekly": a day, no hour
        return TriggerReading("schedule", schedule.trigger_fields(), rule)
    if has(text, _ON_DEMAND):
        return TriggerReading("manual", {"type": "manual"}, "on_demand")
    if one_off(text):
        return TriggerReading("manual", {"type": "manual"}, "one_off")
    booked = booking_reading(text)
    if booked is not None:
        return booked
    relative = relative_days_schedule(text)
    if relative is not None:
        return relative
    start = re.split(r"->|→|=>", text, maxsplit=1)[0]  # "typeform response -> a row": the left
    if has(start, _TABLE_EDIT):
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)}, "table_edit")
    if has(text, _UPTIME) and not announces_outage(text):
        return TriggerReading("interval", {"type": "interval", "seconds": 300}, "uptime")
    if has(start, _SHEET_CHANGE) or has(event_clause(text), _IN_A_STORE) or has(start, _CROSSES):
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)}, "sheet")
    clause = event_clause(text)
    if has(text, _FORM_EVENT) and not has(
        clause if has(clause, _FORM_EVENT) else text, r"\bstripe\b"
    ):
        # "when a customer submits the upgrade form, switch their stripe plan": the form starts it
        return TriggerReading("webhook", {"type": "webhook"}, "form_event")
    stripe = stripe_reading(text)
    if stripe is not None:
        if start != text and stripe_reading(start) == stripe:
            # "stripe sub gets cancelled → …": Stripe's event, said as what starts it
            return TriggerReading("stripe", stripe.spec, "stripe_start")
        return stripe
    mailbox = inbound_mailbox(text)
    if mailbox is not None:
        return email_reading(text, mailbox)
    if has(text, _WATCH_PAGE):
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)}, "watch")
    if has(text, _WATCHED_FEED):  # "watch our google + yelp reviews. when a new one comes in"
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)}, "poll")
    if has(text, _WEBHOOK):
        return TriggerReading("webhook", {"type": "webhook"}, "webhook")
    if has(sync_meetings_masked(text), _SYNC) and tools & {"crm", "sheets", "stripe", "http"}:
        # "keep our contacts in sync with the crm": no time and no event, so looked at often
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)}, "sync")
    if has(_REVIEWS_NOT_READ.sub(" ", text), _POLL):  # "leave us a review" reads no reviews
        return TriggerReading("poll", {"type": "poll", "url": poll_url(text, quoted)}, "poll")
    if has(text, _GENERIC_EVENT):
        return TriggerReading("webhook", {"type": "webhook"}, "event")
    if has(text, _LEADING_ARROW):  # "card moves to 'ready for qa' in trello -> …": what happened
        return TriggerReading("webhook", {"type": "webhook"}, "event")
    return TriggerReading("manual", {"type": "manual"})


# What starts it, written as the left side of an arrow that opens the request ("purchase request
# under $2k comes in -> …", "anyone who types their email into our chat -> …"), with no clock.
_LEADING_ARROW = (
    r"^\W*(?![^>→]*\b(?:every|daily|weekly|monthly|nightly|hourly|tonight|tomorrow|"
    r"at\s+\d)\b)[^.>→;!?]{3,100}?(?:->|→|=>)"
)


# Reminders before a booked time ("24 hours before the appointment"): the booking is the event.
BOOKED = (
    r"\b(?:appointments?|bookings?|booked\s+(?:call|slot|time|session)s?|calls?|meetings?|sessions?|"
    r"webinars?|classes?|reservations?|consultations?|visits?|demos?|interviews?|check-?ins?|"
    r"tours?|lessons?|viewings?|events?|shifts?|"
    r"(?:things?|items?|entr(?:y|ies))\s+(?:on|in)\s+(?:my|our|the)\s+(?:[\w-]+\s+)?calendars?)\b"
)
_NUMBER = r"(?:\d{1,3}|an?|one|two|three|four|five|six|ten|twelve|fifteen|twenty|thirty|half\s+an)"
LEAD = _NUMBER + r"\s+(?:hours?|hrs?|h|minutes?|mins?)"
PREVIOUS_DAY = r"\b(?:the\s+)?(?:previous|prior)\s+day\b|\bthe\s+day\s+before\b"
_BEFORE = r"\s+(?:before|ahead\s+of|prior\s+to|beforehand|earlier)\b"
STARTS = (
    r"\b(?:when|as)\s+(?:it|the\s+\w+|their\s+\w+)\s+(?:starts|begins)\b"
    r"(?!\s+in\s+(?:\d|an?\b|one|two|three|four|six|twelve))"  # "starts in 3 hours": a lead
)


def booking_reading(text: str) -> TriggerReading | None:
    """A reminder N hours or minutes before a booked time: the booking is the event."""
    if has(text, _STARTS_IN):  # "when their shift starts in 3 hours": N hours before it
        return TriggerReading("webhook", {"type": "webhook"}, "booking")
    if not has(text, r"\b" + LEAD + r"\b[^.]{0,40}?" + _BEFORE) or not has(text, BOOKED):
        return None
    return TriggerReading("webhook", {"type": "webhook"}, "booking")


_STARTS_IN = (
    r"\b(?:shift|appointment|class|session|booking|event|meeting|call|lesson|reservation|"
    r"webinar|tour|viewing)s?\s+(?:starts?|begins?|is|kicks\s+off)\s+in\s+(?:\d{1,3}|an?|one|two|"
    r"three|four|six|twelve|24|48)\s+(?:hours?|hrs?|h|minutes?|mins?)\b"
)


# "30 days", "a year", "six months", "12 months": a length of time in days or more.
_PERIOD_COUNT = (
    r"(?:"
    + _NUMBER
    + r"|a\s+few|a\s+couple\s+of|seven|eight|nine|eighteen)\s+(?:days?|weeks?|months?|years?)\b"
)
# A state a record can stay in ("failing", "unpaid", "stuck"): how long it has lasted is looked at.
_LASTING_STATE_WORDS = (
    r"(?:failing|failed|declin\w+|unpaid|overdue|open|pending|stuck|waiting|unanswered|unassigned|"
    r"unresolved|in\s+review|on\s+hold)"
)
# "3 days before their invoice is due", "the evening before their shift", "7 days after due":
# each record has its own date, so the workflow looks every day for the ones that are that close.
_RELATIVE_DAYS = (
    # ("a task due 2 days before the deadline": the due date it gets, not when it runs)
    r"(?<!\bdue\s)\b(?:\d{1,3}|one|two|three|four|five|six|seven|ten|fourteen|a|a\s+couple\s+of|"
    r"a\s+few|a\s+(?:set|fixed|given)\s+number\s+of|some|several)\s+"
    r"(?:(?:business|working)\s+)?(?:days?|weeks?|months?)\s+(?:before|ahead\s+of|prior\s+to|"
    r"in\s+advance\b[^.;]{0,20}?\b(?:before|of)\s+(?:their|the|each|its|his|her|a|an|every)\b)\b|"
    r"\b(?:the\s+)?(?:day|evening|night|morning|afternoon)\s+before\s+(?:their|the|each|its|his|"
    r"her|a|an|every|it'?s|they)\b|"
    # "on the morning of their pickup day", "on the day of each booking": each one's own day
    r"\bon\s+the\s+(?:morning|day|evening|afternoon)\s+of\s+(?:their|each|his|her|its)\s+|"
    # "at 1, 7 and 14 days late", "10 days overdue": each invoice's own due date, looked at daily
    r"\b\d{1,3}\s+(?:(?:business|working)\s+)?days?\s+(?:late|overdue|past\s+due)\b|"
    r"\b\d{1,3}\s+(?:(?:business|working)\s+)?days?\s+(?:after|past)\s+(?:the\s+)?"
    r"(?:(?:invoice|payment|bill|renewal|contract|task|project|loan|rent)'?s?\s+)?(?:due|"
    r"deadline|it'?s\s+due|its\s+due|their\s+due|expiry|the\s+due\s+date)\b|"
    # "subs that have been failing payment for 30 days": a state each one has been in that long
    r"\b(?:has|have|had)\s+been\s+" + _LASTING_STATE_WORDS + r"\b[^.;]{0,25}?\bfor\s+"
    r"(?:over\s+|more\s+than\s+|at\s+least\s+)?\d{1,3}\s+(?:days?|weeks?|months?)\b|"
    # "when they have 7 days left", "halfway through their trial": each one's own end date
    r"\b(?:have|has|with)\s+(?:only\s+|just\s+)?(?:\d{1,3}|one|two|three|four|five|six|seven|ten|"
    r"fourteen|a)\s+(?:days?|weeks?)\s+(?:left|remaining)\b|"
    r"\bhalfway\s+(?:through|into)\s+(?:their|the|each|its|his|her)\s+(?:[\w-]+\s+)?"
    r"(?:trial|subscription|term|contract|membership|plan)\b|"
    # "21 days from expiring", "30 days until it expires", "based on the install date"
    r"\b\d{1,3}\s+(?:days?|weeks?)\s+(?:or\s+(?:less|fewer|under)\s+)?(?:from|until|till|to)\s+"
    r"(?:it\s+|they\s+)?expir\w*|"
    r"\bbased\s+on\s+(?:the|their|its|each)\s+[\w-]+\s+dates?\b|"
    # "when the forecast says rain tomorrow": the forecast is looked at every day
    r"\b(?:when|if|whenever)\s+(?:the\s+)?(?:weather\s+)?(?:forecast|weather)\b|"
    # Inactivity and age: "who haven't logged in for 5 months", "after a year of inactivity",
    # "older than 3 years": each record's own last date, looked at every day.
    # ("hasn't worked on it for 30 days straight", "haven't paid in 2 months": any act not done)
    r"\b(?:haven'?t|hasn'?t|have\s+not|has\s+not|didn'?t|not)\s+(?:been\s+)?[a-z]+\b[^.;]{0,30}?"
    r"\b(?:for|in|since|within)\s+(?:over\s+|more\s+than\s+)?" + _PERIOD_COUNT + r"|"
    # "been sitting in Under Negotiation for 45 days", "stuck in review for 2 weeks": how long a
    # record has stayed where it is
    r"\b(?:sitting|sat|sits|stuck|idle|idling|parked|lingering|languishing|stayed|staying)\s+"
    r"(?:in|at|on|under)\b[^.;]{0,40}?\bfor\s+(?:over\s+|more\s+than\s+)?" + _PERIOD_COUNT + r"|"
    r"\b" + _PERIOD_COUNT + r"\s+of\s+inactivity\b|\binactive\s+(?:for|over|more\s+than)\s+|"
    # "still hasn't sent the form a day later", "not paid 3 days later": a day count since
    # something, with nothing that happens to start it
    r"\b(?:hasn'?t|hasnt|haven'?t|havent|has\s+not|have\s+not|didn'?t|didnt|not|never)\s+(?:yet\s+)?"
    r"[a-z]+\b[^.;]{0,50}?\b(?:\d{1,3}|a|one|two|three|four|five|seven|a\s+few|a\s+couple\s+of)\s+"
    r"(?:days?|weeks?)\s+(?:later|after(?:wards?)?\b(?!\s+(?:the|their|a|an|it|they|each))|on)\b|"
    # "accounts nobody has logged into for a year", "mail that came in more than 60 days ago"
    r"\b(?:nobody|no\s+one|no-one|noone)\s+(?:has\s+|have\s+|had\s+)?(?:logged|signed|touched|opened|"
    r"used|visited|updated|replied|looked|posted|published|written|wrote|commented|ordered|"
    r"bought|booked|edited|committed)\b[^.;]{0,30}?\b(?:for|in|since|within)\s+(?:over\s+|"
    r"more\s+than\s+)?" + _PERIOD_COUNT + r"|"
    r"\b(?:more\s+than|over|at\s+least)\s+" + _PERIOD_COUNT + r"\s+ago\b|"
    # "on the due date and again 5 days after": each invoice's own date
    r"\bon\s+(?:the|their|its|each)\s+(?:due|expiry|expiration|renewal|end|deadline)\s+dates?\b|"
    # "on the day each one is due": each record's own day
    r"\bon\s+the\s+(?:day|date)\s+(?:each|every)\s+(?:one|[\w-]+(?:\s+[\w-]+)?)\s+(?:is|falls|comes)\s+due\b|"
    r"\bolder\s+than\s+" + _PERIOD_COUNT + r"|"
    # Each person's own day: "on each employee's birthday", "work anniversaries"
    r"\bon\s+(?:each|every|their|his|her|the|a)\s+(?:[\w']+\s+)?(?:birthday|anniversary)\b|"
    r"\b(?:work|job|company|service)\s+anniversar(?:y|ies)\b|"
    r"\bbirthday\s+(?:sms|texts?|e-?mails?|messages?|cards?|wishes|greetings?|discounts?|coupons?)\b|"
    r"\bon\s+(?:the\s+)?(?:day|morning)\s+of\s+(?:(?:the|their|each|an?)\s+)?(?:[\w-]+\s+)?"
    + BOOKED
    + r"|"
    # "clients whose invoices are 30 days late": each record's own age, looked at every day
    r"\b(?:are|is|were|was|been)\s+(?:more\s+than\s+|over\s+)?\d{1,3}\+?\s+days?\s+(?:late|"
    r"overdue|past\s+due)\b|"
    # "30 days after they're closed", "a week after it's resolved": each record's own date
    r"\b(?:\d{1,3}|a|one|two|three|seven|fourteen|thirty)\s+(?:days?|weeks?|months?)\s+after\s+"
    r"(?:they(?:'?re|\s+are|\s+were|\s+get)|it(?:'s|\s+is|\s+was|\s+gets)|its|each\s+\w+\s+is)\s+"
    r"(?:closed|cancel+ed|expired|ended|finished|resolved|archived|completed|done|paid)\b|"
    # "when an employee's probation ends in 7 days", "contracts that expire in 2 weeks"
    r"\b(?:ends?|expires?|renews?|finish(?:es)?|runs?\s+out|(?:is|are)\s+due)\s+in\s+"
    r"(?:\d{1,3}|one|two|three|four|five|six|seven|ten|fourteen|thirty|a)\s+(?:days?|weeks?)\b|"
    r"\b(?:no|without\s+an?)\s+(?:[\w-]+\s+)?(?:reply|replies|response|answer|activity|update)s?\s+"
    r"(?:for|in|after|within)\s+(?:over\s+|more\s+than\s+)?" + _PERIOD_COUNT + r""
)
# "a payment that has been failing for 24 hours": a state that lasts, looked at hourly (no event
# says how long it has lasted, however sure the words are that the state is an app's event).
_LASTED_HOURS = (
    r"\b(?:has|have|had)\s+been\s+"
    + _LASTING_STATE_WORDS
    + r"(?:\s+(?:in|at|on)\s+[\w-]+)?\s+(?:for\s+)?(?:over\s+|more\s+than\s+)?"
    r"\d{1,3}\s*(?:hours?|hrs?|h)\b"
)
# The same, counted in hours: "a ticket that has had no reply for 48 hours" is looked at hourly.
_STALE_HOURS = (
    r"\b(?:sits?|sat|stays?|remains?|is\s+left|goes)\s+(?:for\s+)?(?:over\s+|more\s+than\s+)?\d{1,3}\s*"
    r"(?:hours?|hrs?|h)\s+(?:with\s+no|without\s+an?)\s+(?:\w+\s+)?(?:reply|replies|response|answer|"
    r"activity|update)\b|"
    r"\b(?:no|without\s+an?)\s+(?:[\w-]+\s+)?(?:reply|replies|response|answer|activity|update)s?\s+"
    r"(?:for|in|after|within)\s+(?:over\s+|more\s+than\s+)?\d{1,3}\s*(?:hours?|hrs?|h)\b|"
    # "shoppers who left stuff in their cart for more than 4 hours": how long it has sat there
    r"\b(?:carts?|baskets?|checkouts?)\b[^.;]{0,30}?\bfor\s+(?:over\s+|more\s+than\s+|at\s+least\s+)?"
    r"\d{1,3}\s*(?:hours?|hrs?|h)\b|"
    # "a ticket breaches its first response SLA": nothing pushes the breach; the age is looked at
    r"\b(?:breach\w*|miss\w*|violat\w*|exceed\w*|blows?\s+through)\s+(?:its|the|their|our|an?)\s+"
    r"(?:[\w-]+\s+){0,3}?slas?\b|\bslas?\s+(?:breach\w*|violations?)\b|"
    r"\b(?:haven'?t|hasn'?t|have\s+not|has\s+not|not\s+been)\s+(?:been\s+)?(?:replied|answered|"
    r"responded|updated|touched|picked\s+up)\w*\b[^.;]{0,20}?\b(?:for|in|after|within)\s+(?:over\s+|"
    r"more\s+than\s+)?\d{1,3}\s*(?:hours?|hrs?|h)\b"
)
# An event that starts the count ("5 days after an invoice becomes overdue") or one Stripe
# times itself (trial_will_end fires before a trial ends): not a daily check.
_RELATIVE_EVENT = (
    r"\b(?:becomes?|became|turns?|goes|went|gets?|is\s+marked)\s+(?:overdue|past\s+due|late)\b"
)
# Stripe's own notice comes 3 days before a trial ends; any other lead is counted daily ("a week
# before each trial ends", "when they have 7 days left of the trial": docs/eval-labels.md).
_TRIAL_LEAD = (
    # ("a few days before": about Stripe's three, its notice is used)
    r"\b(?!3\b|three\b)(?:\d{1,3}|one|two|four|five|six|seven|ten|fourteen|a|"
    r"a\s+couple\s+of)\s+(?:days?|weeks?|hours?|hrs?)\s+(?:before|ahead\s+of|prior\s+to|left|"
    r"remaining)\b|"
    r"\bhalfway\s+(?:through|into)\b"
)


# "24 hours before their trial ends": each one's own time, looked at every hour (a booked time
# is the booking's event, read before this).
_HOURS_BEFORE = (
    r"\b(?:\d{1,3}|twelve|twenty[- ]four|forty[- ]eight)\s+(?:hours?|hrs?|h)\s+"
    r"(?:before|ahead\s+of|prior\s+to)\s+(?:their|the|each|its|his|her|a|an|every)\b"
)


def _timed_by_an_event(text: str) -> bool:
    """Whether an event starts the count (an invoice "becomes overdue") or times itself (Stripe's
    notice of a trial ending), so no daily check is needed."""
    if has(text, _RELATIVE_EVENT):
        return True
    return has(text, r"\btrials?\b") and not has(text, _TRIAL_LEAD)


# The event comes from a form or a shop that is not Stripe ("pays the deposit through our
# typeform", "abandons checkout on shopify", "jotform feedback → …").
_FORM_EVENT = (
    r"^\W*(?:new\s+)?(?:typeform|jotform|tally|google\s+forms?|webflow|wpforms|shopify|woocommerce)\b"
    r"[^.]{0,40}(?:->|→|:|>)|"
    r"^\W*(?:our\s+|a\s+|the\s+)?(?:[\w-]+\s+){0,3}forms?\s*(?::|->|→)|"  # "refund request form: …"
    r"\b(?:when|whenever|if|once)\b[^.,;]{0,60}\b(?:through|via|on|in|from|using)\s+(?:our\s+|the\s+|my\s+)?"
    r"(?:typeform|jotform|tally|google\s+forms?|webflow|wpforms|shopify|woocommerce|squarespace|wix)\b|"
    # "when a customer submits the upgrade form, switch their stripe plan": the form starts it
    r"\b(?:when|whenever|once|each\s+time|every\s+time|as\s+soon\s+as)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:submits?|fills?\s+(?:in|out)|completes?|sends?\s+in)\s+(?:the\s+|our\s+|a\s+|an\s+|their\s+|"
    r"your\s+)?(?:[\w-]+\s+){0,2}?forms?\b"
)
# Started by a person whenever they choose: "when i say so", "give me a way to …", "on demand".
_ON_DEMAND = (
    r"\bwhen(?:ever)?\s+i\s+(?:say\s+so|ask\s+(?:for\s+it|you)|tell\s+you|click|press|hit\s+a)\b|"
    r"\bwhen(?:ever)?\s+(?:i|we)\s+(?:run|start|kick\s+off|trigger|launch)\s+(?:it|this|the\s+workflow)\b|"
    r"\bon\s+demand\b|\bgive\s+me\s+a\s+(?:way|button)\b|\ba\s+button\s+(?:i|we)\s+can\b|"
    r"\b(?:add|make|create|build|give\s+(?:me|us))\s+a\s+(?:button|one[\s-]click)\s+(?:job|task|"
    r"action|workflow|thing)\b|"
    r"\bi\s+(?:don'?t|do\s+not)\s+want\s+"
    r"(?:it\s+|them\s+|this\s+)?(?:to\s+be\s+)?automatic"
)
# A job done once, on records that already exist: "cancel all open orders in shopify", "refund
# every stripe payment from last week", "drop all prices 10% now". An act over a whole set (or
# now, or since a date) begins a sentence, and no event, arrow or "new" thing starts anything.
_ONE_OFF_ACT = (
    r"(?:^|[.!?;:]\s*|[^\w\s,'\"#@/-]\s*)(?:(?:please|pls|can\s+you|could\s+you|i\s+need\s+(?:you\s+)?"
    r"to|we\s+need\s+to|let'?s|go\s+ahead\s+and|just|now)\s+)*(?:cancel|drop|lower|raise|bump|cut|"
    r"refund|export|delete|remove|wipe|purge|erase|clean\s+up|clear\s+out|import|migrate|merge|"
    r"dedupe|de-?duplicate|archive|void|unsubscribe|reset|re-?tag|bulk[- ]\w+|mark|move|close|"
    r"change|switch|update|increase)\b"
)
_ONE_OFF_SET = (
    r"\b(?:all|every|everything|everyone|everybody)\b|\b(?:right\s+)?now\b|\btoday\b|"
    r"\bright\s+away\b|\b(?:from|since|during)\s+(?:last|this|yesterday)|\bsince\s+(?:19|20)\d\d\b|"
    r"\blast\s+(?:week|month|year|quarter)\b"
)
_ONE_OFF_NOT = (
    # "the new price", "keep their next charge date": a value the job sets or leaves, no event
    r"->|→|=>|\bnew\b(?!\s+(?:price|prices|pricing|plan|plans|rate|rates|tier|tiers|amount)\b)|"
    r"\bwhen(?!\s+to\b)|\bonce\b|\bif\s|\beach\s+time\b|\bevery\s+time\b|\bas\s+soon\b|"
    r"\bany\s*time\b|\bafter\s+(?:each|every|a|an|someone)\b|\bfrom\s+now\s+on\b|\bgoing\s+forward\b|"
    r"\bkeep\b(?!\s+(?:their|its|his|her)\s+(?:[\w-]+\s+){0,2}(?:dates?|days?|prices?|plans?|"
    r"settings?|history|cycles?)\b)|\bautomatically\b|\bauto-"
)


# Said to be done once: "one-off job: create a xero contact for each …", "run it just once".
_SAID_ONCE = (
    r"\b(?:one[- ]?off|one[- ]time|single)\s+(?:job|task|run|thing|import|migration|clean[- ]?up|"
    r"export|sync|backfill|update|fix)\b|"
    # "just once" ends the request or its clause; "only once per cart", "only once, not on
    # renewals" say how often each one is sent
    r"\b(?:just\s+(?:this\s+)?|(?:do|run)\s+(?:this|it)\s+(?:just\s+|only\s+)?)once\b"
    r"(?=\s*(?:$|[.!;,)]))"
)


def one_off(text: str) -> bool:
    """Whether the request is a job done once by hand on records that exist already."""
    if has(text, _SAID_ONCE):
        return True
    return has(text, _ONE_OFF_ACT) and has(text, _ONE_OFF_SET) and not has(text, _ONE_OFF_NOT)


# Each record's own day, said of what happened to it: "the day after a support case gets
# closed" (like "the day before"), and hours since something not done: "their payment fails and
# they still haven't paid 24h later". No event carries either, however sure the words are.
_DAY_AFTER = (
    r"\bthe\s+(?:day|morning|evening|afternoon)\s+after\s+(?:a|an|each|every|the|their|its|his|"
    r"her)\s+(?:[\w-]+\s+){0,3}?(?:gets?|is|are|was|were|has\s+been)\s+[a-z]+ed\b"
)
# "a week after a deal closes in pipedrive", "3 days after a woocommerce order is marked
# completed", "3 days after each newsletter goes out", "5 weeks out from each review date": a
# count of days from each record's own date, looked at daily (docs/eval-labels.md: "N days after
# X" is a daily schedule), not a run that waits for days after the event.
_DAYS_FROM_OWN_DATE = (
    r"\b(?:\d{1,3}|a|one|two|three|four|five|six|seven|ten|fourteen|thirty)\s+(?:days?|weeks?|"
    r"months?)\s+after\s+(?:a|an|each|every|the|their|its)\s+(?:[\w'-]+\s+){0,4}?(?:goes\s+out|"
    r"went\s+out|(?:is|gets?|was|has\s+been)\s+(?:marked\s+(?:as\s+)?)?[a-z]+(?:ed|en|ne|out)|"
    r"closes|ends|ships)\b|"
    r"\b(?:\d{1,3}|one|two|three|four|five|six|seven|ten)\s+(?:days?|weeks?|months?)\s+out\b"
    r"[^.;]{0,40}?\bfrom\s+(?:each|every|their|the|its|his|her)\b"
)
_HOURS_LATER = (
    r"\b(?:hasn'?t|hasnt|haven'?t|havent|has\s+not|have\s+not|didn'?t|didnt|not|never)\s+(?:yet\s+)?"
    r"[a-z]+\b[^.;]{0,50}?\b\d{1,3}\s*(?:hours?|hrs?|h)\s+(?:later|after(?:wards?)?\b(?!\s+(?:the|"
    r"their|a|an|it|they|each)))"
)


def _looked_at(text: str, every: str, rule: str) -> TriggerReading | None:
    """A look every hour or day, at the time the request asks for."""
    schedule = find_schedule(f"{text} . every {every}")
    return TriggerReading("schedule", schedule.trigger_fields(), rule) if schedule else None


def relative_days_schedule(text: str) -> TriggerReading | None:
    """A daily check for records N days before or after their own date, at the asked time."""
    if has(text, _HOURS_LATER):
        return _looked_at(text, "hour", "schedule_hours")
    if has(text, _DAY_AFTER) or has(text, _DAYS_FROM_OWN_DATE):
        return _looked_at(text, "day", "schedule_own_day")
    lasted = has(text, _LASTED_HOURS)
    if (lasted or has(text, _STALE_HOURS) or has(text, _HOURS_BEFORE)) and not _timed_by_an_event(
        text
    ):
        schedule = find_schedule(text + " . every hour")
        rule = "schedule_hours" if lasted else "schedule_relative"
        return TriggerReading("schedule", schedule.trigger_fields(), rule) if schedule else None
    if not has(text, _RELATIVE_DAYS) or _timed_by_an_event(text):
        return None
    schedule = find_schedule(text + " . every day")
    if schedule is None:
        return None
    return TriggerReading("schedule", schedule.trigger_fields(), "schedule_relative")


def slack_reading(text: str, *, loose: bool = False) -> TriggerReading | None:
    """A slash command, an @mention of the bot, or a Slack message with a keyword, if named.

    `loose` (when the model is sure the trigger is Slack) also takes a channel message with
    no keyword ("any message in #sales-wins").
    """
    slash = next(
        (m for m in _SLASH.finditer(text) if not _PATH_BEFORE.search(text[: m.start()])), None
    )
    # ("/status in our telegram group", a discord slash command: that app's own event)
    other_chat = has(text, r"\b(?:telegram|discord|mattermost|whatsapp|teams)\b") and not has(
        text, r"\bslack\b"
    )
    if (
        slash
        and not other_chat
        and (
            has(text, r"\bslack\b|\bslash\b|\btyp(?:e|es|ed|ing)\b|\bcommands?\b")
            or has(text[: slash.start() + 1], r"^\s*$")
        )
    ):
        return TriggerReading("slack", {"type": "slack", "command": "/" + slash.group(1)}, "slash")
    reaction = reaction_name(text)
    if reaction is not None:
        spec: dict[str, Any] = {"type": "slack", "reaction": reaction}
        where = re.search(r"\b(?:in|on|to|from)\s+(?:the\s+)?(#[\w-]+)", text)
        if where:
            spec["channel"] = where.group(1)
        return TriggerReading("slack", spec, "reaction")
    if has(text, _MENTION):
        spec = {"type": "slack", "mention": True}
        channel = re.search(r"\bin\s+(#[\w-]+)", text)
        if channel:
            spec["channel"] = channel.group(1)
        return TriggerReading("slack", spec, "mention")
    message = re.search(_CHANNEL_MESSAGE, text)
    if message:
        channel_name = next(c for c in message.groupdict().values() if c)
        spec = {"type": "slack", "channel": channel_name}
        keyword = _keyword(text[message.end() - 1 :])
        if keyword:
            spec["keyword"] = keyword
        if message.group("channel5") and not keyword:  # "watch #dev … if someone posts 'x'"
            said = re.search(
                r"\b(?:posts?|messages?|says|writes|types|mentions?)\b", text[message.end() :]
            )
            keyword = _keyword(text[message.end() + said.start() :]) if said else None
            if keyword:
                spec["keyword"] = keyword
        if message.group("channel2") or message.group("channel5"):  # "when someone posts … in #x"
            return TriggerReading("slack", spec, "slack_post")
        if keyword or loose or has(text, r"\bslack\b"):
            return TriggerReading("slack", spec, "slack_message")
    if loose and has(text, r"\bslack\b"):
        spec = {"type": "slack"}
        said = re.search(
            r"\b(?:messages?|posts?)\b", text
        )  # "slack messages that mention 'refund'"
        keyword = _keyword(text[said.end() :]) if said else None
        if keyword:
            spec["keyword"] = keyword
        return TriggerReading("slack", spec, "slack_message")
    return None


def _keyword(after: str) -> str | None:
    """The word a Slack message must contain ("containing 'urgent'", "with refund in it")."""
    found = re.search(
        r"^\W*(?:\w+\s+){0,3}?(?:contain\w*|with|mention\w*|saying|says|that\s+says|including|"
        r"about)\s+(?:the\s+word\s+)?['\"“]?([^'\"”\s,.;:]+(?:\s[^'\"”\s,.;:]+)?)['\"”]?",
        after,
    )
    if not found or has(found.group(1), r"^(?:a|an|the|it|them|its?|this|that)\b"):
        return None
    return found.group(1).strip()


# Payments taken by another provider are that provider's events, not Stripe's.
_OTHER_PROVIDER = (
    r"\b(?:paypal|square|gocardless|mollie|adyen|razorpay|paddle|lemon\s*squeezy|gumroad|"
    r"braintree|klarna|sumup|zettle|venmo|wise|payoneer|chargebee|recurly|recharge|chargify|maxio|"
    r"memberful|patreon|zuora)\b"
)


# Invoicing and accounting tools, and shops: their invoices, orders and payments are their
# events ("new invoice in invoice ninja", "when we cancel an order in our shop").
INVOICING_TOOLS = (
    r"\b(?:quickbooks|xero|freshbooks|sage|zoho(?:\s+(?:books|invoice))?|wave|invoice\s*ninja|"
    r"invoiceplane|bill\.com|harvest|bexio|lexoffice|sevdesk|myob|holded|odoo|erpnext|netsuite|"
    r"dolibarr|kashoo|invoicely|jobber|housecall\s*pro|servicetitan|simpro|tradify|fergus|"
    r"our\s+books|accounting\s+(?:software|system|tool|app)|"
    r"(?:our|the|my)\s+(?:billing|invoicing)\s+(?:app|system|software|tool|platform))\b"
)
_SHOPS = (
    r"\b(?:shopify|woocommerce|woo|bigcommerce|magento|squarespace|wix|etsy|ecwid|prestashop|"
    r"(?:our|the|my)\s+(?:online\s+)?(?:shop|store|webshop))\b"
)


def other_payment_provider(text: str) -> bool:
    """Whether the request names a payment provider, invoicing tool or shop other than Stripe,
    and not Stripe."""
    return (
        has(text, _OTHER_PROVIDER) or has(text, INVOICING_TOOLS) or has(text, _SHOPS)
    ) and not has(text, r"\bstripe\b")


# Events whose words also say an act a workflow does ("cancel their subscription"): with a
# "when …" clause, the event only when that clause says it.
_ALSO_AN_ACT = frozenset({"customer.subscription.deleted"})


def stripe_reading(text: str, *, loose: bool = False) -> TriggerReading | None:
    """The Stripe event a request names; `loose` takes the likeliest one for Stripe words."""
    clause = event_clause(text)
    for pattern, event in _STRIPE_EVENTS:
        if event in _ALSO_AN_ACT and clause and not has(clause, pattern):
            continue  # "when a customer asks to, cancel their subscription": the act, not the event
        if (
            has(text, pattern)
            and (
                has(text, r"\bstripe\b")
                or "invoice" in event
                or "payment" in event
                or "source" in event
                or "trial" in event  # a subscription's trial: the billing, which is Stripe
            )
            and not other_payment_provider(text)
        ):
            return TriggerReading("stripe", {"type": "stripe", "events": [event]}, "stripe")
    if not loose:
        return None
    for pattern, event in _STRIPE_LOOSE:
        if has(text, pattern):
            return TriggerReading("stripe", {"type": "stripe", "events": [event]}, "stripe_loose")
    return TriggerReading(
        "stripe", {"type": "stripe", "events": list(_STRIPE_IMPORTANT)}, "stripe_loose"
    )


def email_reading(text: str, mailbox: str = "") -> TriggerReading:
    """An email trigger at the mailbox the request names (any mailbox of the workspace if none)."""
    spec: dict[str, Any] = {"type": "email"}
    if "@" in mailbox:
        spec["address"] = mailbox.rstrip(".-")  # "emails to sales@." ends a sentence
    else:
        named = re.search(r"\b([a-z][\w.+-]*@)(?![\w-])", text)
        if named:
            spec["address"] = named.group(1)
    subject = re.search(
        r"['\"]([^'\"]{2,60})['\"]\s+in\s+(?:the\s+|its\s+)?subject", text
    ) or re.search(
        r"\bsubject\s+(?:line\s+)?(?:contains|containing|with|says|saying)\s+['\"]([^'\"]{2,60})['\"]",
        text,
    )
    if subject:
        spec["subject_contains"] = subject.group(1)
    return TriggerReading("email", spec, "mailbox" if "address" in spec else "inbound")


def inbound_mailbox(text: str) -> str | None:
    """The mailbox mail arrives at ("support@"), "" for inbound mail in general, or None."""
    for match in _inbound_matches(text, _INBOUND):
        return match.group(1)
    return "" if has(text, _INBOUND_GENERIC) else None


def mask_inbound(text: str) -> str:
    """The request with the phrases saying mail arrives blanked (mail arriving is not sending)."""
    # The auto-reply pattern stays: "auto-reply to support@" also asks for a reply.
    patterns = (*_INBOUND[:2], *_INBOUND[3:])
    for match in [*_inbound_matches(text, patterns), *re.finditer(_INBOUND_GENERIC, text)]:
        start, end = match.span()
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _inbound_matches(text: str, patterns: tuple[str, ...]) -> Iterator[re.Match[str]]:
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            before = text[max(0, match.start() - 30) : match.start()]
            if has(before[-6:], r"\bfrom\s*$"):
                continue
            if has(before, _OUTBOUND_BEFORE) and not has(before, _WE_RECEIVE_BEFORE):
                continue
            if has(before, r"\b(?:should|must|will|to|please|pls|then|and)\s+(?:be\s+|get\s+)?$"):
                continue  # "should be forwarded to x@": where mail goes, not where it arrives
            yield match


def event_clause(text: str) -> str:
    """The request's "when …" clause (what starts it), or "" when it has none."""
    match = _EVENT_CLAUSE.search(text)
    return match.group(0) if match else ""


_EVENT_LEAD = re.compile(
    r"^(?:when|whenever|once|each\s+time|every\s+time|as\s+soon\s+as|any\s*time|after)\s+"
)


def event_words(text: str, request: str) -> str | None:
    """What happens, from the normalised request's "when …" clause, as the person wrote it in
    `request` ("a deal is won in Pipedrive"); None when the clause is not plain words."""
    clause = event_clause(text).strip(" -")  # "when the api throws errors - post them"
    words = _EVENT_LEAD.sub("", clause)
    if words == clause or not re.fullmatch(r"[a-z][a-z0-9' -]*[a-z0-9]", words):
        return None
    if not 2 <= len(words.split()) <= 12 or re.match(r"^(?:it|this|that|they|there|i|we)\b", words):
        return None
    written = re.search(r"\s+".join(re.escape(w) for w in words.split()), request, re.IGNORECASE)
    if written is None or written.group(0).isupper():  # "WHEN SOMEONE BOOKS": no shouting
        return words
    return written.group(0)


def without_start(text: str) -> str:
    """What the workflow does: the request without its "when …" clause, and without the left
    side of an arrow ("deal moves to closed won in hubspot -> create the tasks in asana")."""
    rest = without_event_clause(text)
    parts = re.split(r"->|→|=>", rest, maxsplit=1)
    return " " * len(parts[0]) + "->" + parts[1] if len(parts) == 2 else rest


def without_event_clause(text: str) -> str:
    """The request with its "when …" clause blanked: what starts a workflow is not a step."""
    match = _EVENT_CLAUSE.search(text)
    if not match:
        return text
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def poll_url(text: str, quoted: list[str]) -> str:
    """A feed URL for what the request watches (a named URL wins; a search feed otherwise)."""
    named = re.search(r"https?://\S+", text)
    if named:
        return named.group(0).rstrip(".,)")
    query = re.sub(r"[^a-z0-9]+", "+", (quoted[0] if quoted else "our-brand").lower()).strip("+")
    for pattern, url in _POLL_URLS:
        if has(text, pattern):
            return url.format(q=query)
    return "https://example.com/feed.xml"
