"""Requests too vague to build ("help me with my leads"): ask what would help, with examples.

A request is vague when it asks for help or improvement in general words and names nothing to
build on: no time or event that starts it, no place results go, no concrete action on a record.
"""

from __future__ import annotations

import re

from agents.planner.text import has

_GENERAL_ASK = (
    r"\bhelp\s+(?:me|us)\b|\bsort\s+(?:out|through)\b|\bmake\s+(?:it|them|this|things|\w+)\s+"
    r"(?:better|easier|faster|work)\b|\b(?:improve|optimi[sz]e|streamline|boost|fix|organi[sz]e|"
    r"tidy|deal\s+with|take\s+care\s+of|handle|manage|look\s+after|do\s+something|get\s+on\s+top\s+of)"
    r"\b|\bsomething\s+(?:smart|useful|clever|cool|helpful)\b|\b(?:is|are)\s+a\s+mess\b|"
    r"^\s*(?:please\s+|can\s+you\s+|could\s+you\s+)?automate\s+(?:my|our|the)\s+[\w\s]{1,25}[?.!]*\s*$|"
    r"\bwhat\s+can\s+you\s+do\b|\bany\s+ideas\b|\bsomething\s+important\b|\banything\s+important\b|"
    # "keep hubspot synced with the other thing we use": which other tool is not said
    r"\bthe\s+other\s+(?:thing|tool|app|system|one)s?\b|\bto\s+everything\s+else\b|"
    r"\b(?:need|want|would\s+like|looking\s+for)\s+(?:a|an|some)\s+(?:workflow|automation|zap|flow)s?"
    r"\s+(?:for|to\s+(?:help|handle|do))\b|"
    # "set something up for my leads", "build me an AI agent for the business"
    r"\b(?:set|sort)\s+(?:something|stuff|things)\s+up\b|\bset\s+up\s+something\b|"
    r"\b(?:build|make|create|give)\s+(?:me|us)\s+(?:an?\s+)?(?:ai\s+)?(?:agent|assistant|bot|"
    r"chatbot|automation|workflow)s?\s+(?:for|to\s+help)\b|"
    # "make onboarding smoother", "make them less painful", "do the calendar thing"
    r"\bmake\s+(?:\w+\s+){0,2}(?:smoother|easier|simpler|less\s+painful|automatic|faster)\b|"
    r"\b(?:do|set\s+up)\s+the\s+\w+\s+thing\b|"
    # "connect shopify and slack", with nothing said about what should happen between them
    r"^\W*(?:can\s+you\s+|please\s+|pls\s+)?(?:connect|hook\s+up|link\s+up|integrate)\s+"
    r"(?:our\s+|my\s+|the\s+)?[\w.]+\s+(?:and|with|to)\s+(?:our\s+|my\s+|the\s+)?[\w.]+\W*$|"
    # "hubspot to mailchimp": two systems, no verb; which records, which way? ("typeform to
    # slack" is clear: each response, posted)
    r"^\W*(?:our\s+|my\s+|the\s+)?[\w.]+\s+(?:to|->|→|and)\s+(?:our\s+|my\s+|the\s+)?"
    r"(?!(?:slack|email|e-mail|teams|discord|telegram|whatsapp|sms|me|us)\b)[\w.]+\W*$|"
    # "i hate doing the invoices, can u automate that": automate what, exactly?
    r"\bautomate\s+(?:that|this|it|them|those|these|everything|stuff|things)\W*$|"
    # leads to capture with no word of where they come from
    r"^\W*(?:can\s+you\s+|please\s+)?(?:capture|collect|gather|grab|bring\s+in|get)\s+"
    r"(?:new\s+|more\s+|our\s+|my\s+)?leads?\s+(?:in(?:to)?|to)\s+(?:our\s+|my\s+|the\s+)?"
    r"[\w.]+\W*$|"
    # "i need a weekly report", "we want some reporting", "can you do our marketing reports"
    r"^\W*(?:i|we)\s+(?:need|want|would\s+like)\s+(?:a|an|some|better)\s+(?:\w+\s+){0,2}"
    r"(?:reports?|reporting|dashboards?|digests?)\W*$|"
    r"^\W*(?:can\s+you\s+|could\s+you\s+|please\s+)?(?:do|run|take\s+over|own)\s+(?:our|my|the)\s+"
    r"(?:\w+\s+){0,2}(?:reports?|reporting|marketing|admin|bookkeeping|follow-?ups?)\W*$|"
    # a sync with one side, or with "tools like …": which systems, which way, is not said
    r"\b(?:seamless|automatic)\s+(?:\w+\s+){0,4}?(?:sync\w*|synchroni[sz]ation|integration)\b|"
    r"\bsync\w*\b[^.]{0,60}\b(?:tools|apps|platforms|systems)\s+like\b|"
    # a short "route / qualify my leads (with AI)" that says nothing of where they go
    r"^\W*(?:\w+\s+){0,2}(?:route|qualify|triage|nurture)\s+(?:my|our|the)\s+\w+"
    r"(?:\s+(?:with|using)\s+(?:ai|gpt|chatgpt))?\W*$"
)
_CONCRETE_START = (
    r"\b(?:every|each|daily|weekly|monthly|hourly|nightly|weekdays?|mondays?|tuesdays?|wednesdays?|"
    r"thursdays?|fridays?|saturdays?|sundays?|morning|evening|tonight|tomorrow)\b|\bat\s+\d|"
    r"\b(?:when|whenever|once|as\s+soon\s+as|if)\s+(?!something\s+important|anything\s+important)"
    r"\w+|\bnew\s+\w+|/\w+"
)
_CONCRETE_DESTINATION = r"#[\w-]+|@[\w-]+\.\w+|\b(?:email|e-mail|dm|text)\s+(?:me|us|the|our)\b"
_CONCRETE_ACTION = (
    r"\b(?:post|send|add|create|save|log|copy|forward|reply|tag|update|move|delete|remind|alert|"
    r"notify|ping|tell|summari[sz]e|classify|categori[sz]e|score|translate|export|import|"
    r"deactivate|suspend|archive|merge|reassign|unsubscribe)\b"
)
_TOPICS = (
    (r"\bleads?\b|\bprospects?\b|\bsales\b|\bpipeline\b", "leads"),
    (r"\bfeedback\b|\breviews?\b|\bsurveys?\b|\bnps\b|\bcomplaints?\b", "customer feedback"),
    (r"\binvoices?\b|\bpayments?\b|\bbilling\b|\bstripe\b", "invoices and payments"),
    (r"\bcrm\b|\bcontacts?\b|\bhubspot\b|\bpipedrive\b|\bsalesforce\b", "CRM"),
    (r"\be-?mails?\b|\binbox\b|\bsupport\b", "email"),
    (r"\breports?\b|\bnumbers\b|\bmetrics\b|\banalytics\b", "reporting"),
    (r"\bonboard\w*\b|\bnew\s+(?:clients?|customers?|hires?)\b", "onboarding"),
    (r"\bsocial\b|\bmentions?\b|\btwitter\b|\blinkedin\b|\breddit\b", "social media"),
)


# The person says themselves that what to build is open: "not sure yet what the trigger should
# be", "an email (or a few) … asking them to do whatever", "daily or weekly", "daily, weekly, etc."
_UNDECIDED = (
    r"\bnot\s+sure\s+(?:yet\s+)?(?:what|which|how|when|who|where|if)\b|\b(?:to\s+)?do\s+whatever\b|"
    r"\(?\bor\s+a\s+few\b|\b(?:hourly|daily|weekly|monthly)\s+or\s+(?:hourly|daily|weekly|monthly)\b|"
    r"\b(?:hourly|daily|weekly|monthly),\s+(?:hourly|daily|weekly|monthly),?\s+etc\b|"
    r"\bsome\s+(?:time|days?|point)\s+(?:after|later)\b|"
    # no rate said at all: "remind me every now and then", "from time to time"
    r"\bevery\s+(?:now\s+and\s+(?:then|again)|so\s+often|once\s+in\s+a\s+while)\b|"
    r"\bfrom\s+time\s+to\s+time\b|\bonce\s+in\s+a\s+while\b"
)
# Tools named and nothing asked of them: "can whatsapp and chatwoot talk to each other", "notion
# integration would be cool", "anything we can do with trustpilot?", "something for google
# reviews?", "hook up shopify, stripe, quickbooks and zendesk", "our stuff synced to notion".
_TOOLS_ONLY = (
    r"\b(?:talk|speak)\s+to\s+(?:each\s+other|one\s+another)\b|"
    r"\bintegrations?\s+(?:would|could|might)\s+be\s+(?:cool|nice|great|awesome|good|handy|useful|"
    r"amazing|helpful)\b|"
    r"\banything\s+(?:we|i|you)\s+(?:can|could)\s+do\s+(?:with|for|about)\b|"
    r"^\W*(?:(?:any|some)thing|ideas?)\s+for\s+(?:our\s+|my\s+|the\s+)?[\w.-]+(?:\s+[\w.-]+)?\s*\?+\W*$|"
    r"^\W*(?:can\s+you\s+|please\s+|pls\s+)?(?:connect|hook\s+up|link\s+up|integrate|wire\s+up)\s+"
    r"(?:our\s+|my\s+|the\s+)?(?:[\w.]+,\s+){1,5}(?:[\w.]+\s+)?(?:and\s+|&\s+)?[\w.]+"
    r"(?:\s+for\s+(?:us|me))?\W*$|"
    # "hook slack and github up for us", "tie stripe and xero together"
    r"^\W*(?:can\s+you\s+|could\s+you\s+|please\s+|pls\s+)?(?:hook|link|wire|tie|plug)\s+"
    r"(?:our\s+|my\s+|the\s+)?[\w.]+\s+(?:and|&|with|to|into)\s+(?:our\s+|my\s+|the\s+)?[\w.]+\s+"
    r"(?:up|together|in)(?:\s+for\s+(?:us|me))?(?:\s+(?:please|pls|thanks|thx))?\W*$|"
    r"\b(?:our|my|all\s+our|all\s+my)\s+(?:stuff|things|data|everything)\s+(?:synced|syncing|sync|"
    r"in\s+sync|connected)\s+(?:to|with|into)\b"
)
# A workflow with nothing for it to do: "run a workflow every time a new row is added".
_NO_ACTION = (
    r"\b(?:run|trigger|start|kick\s+off)\s+(?:a|an|some|my|our)\s+"
    r"(?:workflow|automation|zap|flow)s?\b"
)
# A report, digest or dashboard that names nothing it would report on.
_REPORT_WORDS = r"\b(?:reports?|reporting|digests?|dashboards?|summary\s+e-?mails?)\b"
_REPORTED = (
    r"\b(?:leads?|sales|revenue|deals?|orders?|sign-?ups?|tickets?|invoices?|payments?|traffic|"
    r"visit\w*|runs?|hours|timesheets?|stock|inventory|subscri\w+|mrr|churn|expenses?|bookings?|"
    r"campaigns?|ads|clicks?|opens?|customers?|users?|members?|contacts?|pipeline|tasks?|projects?|"
    r"spend\w*|budget|cash|profit|margins?|kpis?|metrics|figures|numbers|stats|analytics|errors?|"
    r"incidents?|uptime|calls?|meetings?|emails?\s+(?:we|i)\s+(?:got|received)|reviews?|mentions?|"
    r"followers|posts?|shipments?|deliveries|returns?|refunds?|applications?|candidates?|jobs?|"
    r"rows?|sheet|spreadsheet|crm|stripe|hubspot|shopify|google\s+analytics|ga4)\b"
)


# A summary that says what period it covers but not what it draws on ("a summary of my day").
_SOURCELESS = (
    r"\b(?:summary|summaries|recap|digest|overview|rundown|round-?up)\s+of\s+(?:my|our|the)\s+"
    r"(?:day|week|month|morning|evening|night)\b|\b(?:summary|recap|digest|overview|rundown)\s+of\s+"
    r"(?:everything|what\s+happened|things|stuff|it\s+all)\b(?!\s+(?:in|on|from)\b)"
)
# Reports and dashboards pointed at as if known, with nothing said of what they show ("email us
# the reports every week", "recreate the dashboard as an email"). A hedge leaves it open too:
# "make the newsletter less work somehow", "for some of the items", "add the payments thing".
_UNKNOWN_THING = r"\bthe\s+(?:reports|dashboards?)\b"
_HEDGE = (
    r"\bsomehow\b|\bsome\s+of\s+(?:the|our|my)\s+\w+|"
    r"\b(?:add|do|set\s+up|sort|fix|build|make|get|want|need)\s+(?:the|an?|some|that)\s+"
    r"(?!first\s)(?:[\w/-]+\s+){0,3}?(?:/\s+)?(?:[\w-]+\s+)?things?\b"
)


def undecided(text: str) -> bool:
    """Whether the request itself leaves what to build open (it asks, or has no action)."""
    if has(text, _UNDECIDED) or has(text, _HEDGE):
        return True
    if has(text, _TOOLS_ONLY) and not has(text, _CONCRETE_DESTINATION):
        return True
    if (has(text, _SOURCELESS) or has(text, _UNKNOWN_THING)) and not has(
        text, _REPORTED + r"|#[\w-]|\b(?:calendar|inbox|slack|channel)\b"
    ):
        return True
    if has(text, _NO_ACTION) and not has(text, _CONCRETE_ACTION):
        return True
    words = len(re.findall(r"[a-z']+", text))
    if (
        has(text, _REPORT_WORDS)
        and not has(text, _CONCRETE_START)
        and not has(text, _CONCRETE_DESTINATION + r"|\b(?:slack|e-?mail\w*|send|post|share|drop)\b")
        and words <= 12
    ):
        return True  # "make me a low stock report": when, and where should it go?
    return (
        has(text, _REPORT_WORDS)
        and not has(text, r"\b(?:the|this|that)\s+(?:\w+\s+)?" + _REPORT_WORDS)  # one they have
        and not has(text, _REPORTED)
        and not has(text, _CONCRETE_DESTINATION)
        and not has(
            text, _REPORT_WORDS + r"[^.]{0,25}\b(?:of|on|about|covering|showing|with|from)\b"
        )
        and not has(text, r"\b(?:when|whenever|once|each)\b|->|→")  # a report that arrives
        and words <= 16
    )


# What starts it is not said, only that something does: "whenever something happens with a
# customer", "ping me if the numbers look weird".
_NO_EVENT_SAID = (
    r"\b(?:when|whenever|if|once|every\s+time|any\s*time)\s+(?:something|anything|stuff)\s+"
    r"happens\b|"
    r"\b(?:numbers|figures|data|metrics|stats|things)\s+(?:look|looks|seem|seems)\s+(?:weird|off|"
    r"strange|odd|wrong|funny|fishy)\b"
)


def is_vague(text: str) -> bool:
    """Whether a normalised request asks for help in general words, with nothing to build on."""
    if undecided(text) or has(text, _NO_EVENT_SAID):
        return True
    if not has(text, _GENERAL_ASK):
        return False
    anchors = sum(has(text, pattern) for pattern in (_CONCRETE_START, _CONCRETE_DESTINATION)) + (
        has(text, _CONCRETE_ACTION) and not has(text, r"\bsomething\s+important\b")
    )
    words = len(re.findall(r"[a-z']+", text))
    return anchors == 0 or (anchors == 1 and words <= 10 and not has(text, _CONCRETE_DESTINATION))


def topic(text: str) -> str | None:
    """What the vague request is about ("leads", "customer feedback"), if it says."""
    return next((name for pattern, name in _TOPICS if has(text, pattern)), None)


def question(text: str) -> str:
    """The one question a vague request gets."""
    if has(text, _NO_ACTION) and not has(text, _CONCRETE_ACTION):
        return (
            "Happy to set that up. What should the workflow do each time, or which of these "
            "is close?"
        )
    if has(text, _SOURCELESS):
        return (
            "Happy to send that summary. What should it draw on: your calendar, your inbox, "
            "your CRM or a Slack channel?"
        )
    if undecided(text) and has(text, _REPORT_WORDS) and not has(text, _REPORTED):
        return (
            "Happy to set up a report. What should it show and who gets it, or which of these "
            "is close?"
        )
    if has(text, _REPORT_WORDS) and not has(text, _CONCRETE_START):
        return (
            "Happy to set up that report. When should it run and who should get it, or which of "
            "these is close?"
        )
    about = topic(text)
    if about:
        return f"Happy to help with {about}. Which of these would help most, or what should happen?"
    return "Happy to help. Which of these would help most, or what should happen?"


def too_short_to_build(text: str) -> bool:
    """A few words that name no start, no place and no value ("set up invoice reminders", "we
    want to send newsletters"): what, when and for whom are all still open."""
    words = re.findall(r"[a-z']+", text)
    content = [w for w in words if w not in _FILLERS]
    quoted = r"\d|\"|(?<!\w)'|'(?!\w)|[#@/]|https?:"  # a value, a channel, an address, not "i'd"
    return (len(words) <= 6 or len(content) <= 4) and not has(text, quoted)


# Words that carry no part of what to build ("i want to …", "can u …", "for us thx").
_FILLERS = frozenset(
    re.findall(
        r"\S+",
        "i i'd i'm we we'd want wanna need would like to can could you u please pls thanks thx "
        "just for us me our my the a an some using with w via through by",
    )
)
