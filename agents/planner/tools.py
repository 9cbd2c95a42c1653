"""Tools Levqor has no integration for (Zendesk, Calendly, Airtable…): reached over `http.request`.

Such a tool is either the source of an event (a webhook: "new Zendesk ticket"), which needs no
step, or something a workflow reads from (GET) or writes to (POST/PUT) through its API.
"""

from __future__ import annotations

import re
from typing import Any

from agents.learned.app_names import apps_pattern, shipped_app_names
from agents.planner.text import has, strip_quoted
from agents.planner.unknown_apps import unknown_apps

_NAMED_BY_HAND = (
    r"\b(?:shopify|woocommerce|squarespace|wix|bigcommerce|etsy|ebay|gumroad|paypal|"
    r"quickbooks|xero|freshbooks|zendesk|intercom|freshdesk|help\s*scout|helpdesk|gorgias|"
    r"typeform|jotform|google\s+forms?|gravity\s+forms|wpforms|calendly|acuity|cal\.com|"
    r"google\s+calendar|outlook\s+calendar|calendars?|zoom|pos|point\s+of\s+sale|"
    r"time\s+track(?:ing|er)|erp|booking\s+(?:system|tool|software|app)|eventbrite|mailchimp|klaviyo|"
    r"convertkit|activecampaign|brevo|sendinblue|bamboo\s*hr|gusto|workable|greenhouse|personio|"
    r"airtable|notion|trello|asana|jira|clickup|monday\.com|github|gitlab|docusign|pandadoc|"
    r"toggl|harvest|google\s+analytics|twilio|aircall|"
    # Everyday small-business tools with no n8n node (the catalogue covers the rest).
    r"plausible|fathom\s+analytics|ga4|google\s+search\s+console|semrush|ahrefs|smartsheet|"
    r"databox|bexio|sage|myob|zoho\s+books|wave\s+accounting|invoiceplane|lexoffice|sevdesk|"
    r"podio|canva|buffer|hootsuite|webflow|wix|squarespace|beehiiv|substack|tally|fillout|"
    r"deputy|rippling|hibob|factorial|lattice|front\s*app|missive|gong|mautic|saleshandy|"
    r"apollo\.io|lemlist|instantly|servicetitan|jobber|housecall\s+pro|simplepractice|"
    r"mindbody|vagaro|square\s+appointments|setmore|booksy|fresha|toast|lightspeed|"
    r"loyverse|vend|shipstation|shippo|easyship|printful|amazon\s+seller\s+central|"
    r"have\s+i\s+been\s+pwned|uptime\s*robot|statuspage|pagerduty|opsgenie|datadog|"
    r"new\s+relic|grafana|sentry)\b"
)
# The hand list, then every app the template corpus names (agents/learned/app_names.json).
EXTERNAL_TOOLS = r"(?:" + _NAMED_BY_HAND + "|" + apps_pattern(shipped_app_names()) + r")"
# Everyday words that also name a tool ("drive", "teams", "box", "ups", "text me"): read as a tool
# only where a step already needs one (which API to call, where to delete), never to decide that
# a request uses another service. Spoken forms map to the tool's name.
_SPOKEN = {"text me": "twilio", "sms": "twilio", "teams": "microsoft teams"}
_EVERYDAY_NAMES = (
    r"(?<![\w-])(?:text\s+me|sms|teams|drive|box(?!\s+office)|calendar|outlook|ghost|medium|hunter(?:\.io)?|apollo|"
    r"lemlist|instantly|instagram|tiktok|x\.com|loyverse|disqus|wise|dhl|ups|fedex|s3|gmail)\b"
)
LOOSE_TOOLS = r"(?:" + EXTERNAL_TOOLS + "|" + _EVERYDAY_NAMES + r")"
_API = r"(?:api|endpoint)s?\b"
_OWNER = r"(?:our\s+|the\s+|their\s+|my\s+|an?\s+)?"
_WRITE_VERB = (
    r"\b(?:add|adds|added|adding|push|pushes|create|creates|save|saves|copy|copies|log|logs|put|"
    # "open a ticket" makes one; "the open tickets" are read
    r"puts|upload|register|subscribe|enrol|enroll|open(?=\s+(?:a|an|the|new|one|them|it)\b)|opens|"
    r"file|files|send|sends|post|posts|"
    r"back\s+up|backs\s+up|backups?|archive|archives|export\w*|mirror\w*|dump\w*|move|moves|"
    r"transfer\w*|"
    r"update(?=\s+(?:them|it|him|her|the|their|our|this|that|each|every|all|contacts?|records?)\b))\b"
)
_SYNC = r"\b(?:sync\w*|two[- ]way|both\s+ways|mirror\w*|in\s+sync|matched\s+up)\b"
_CREATE = (
    r"\b(?:create|creates|add|adds|make|makes|log|logs|file|files|raise|raises|save|saves|opens|"
    r"open(?=\s+(?:a|an|new)\b))\b"
)
# What a tool keeps, written there: "create Asana tasks", "a Trello card", "a Notion page".
_RECORD = (
    r"(?:tasks?|cards?|pages?|records?|rows?|issues?|tickets?|contacts?|deals?|events?|invoices?|"
    r"items?|entr(?:y|ies)|documents?|docs?|notes?|posts?|subscribers?|leads?|orders?|messages?)\b"
)
_READ_API = (
    r"\b(?:hit|call|check|fetch|query|get|pull|read|poll|grab|look\s*up)\w*\b[^.]{0,30}"
    r"(?:/[a-z]|\bendpoint|\bapi\b)|"
    r"\b(?:from|via|in|on|using)\s+" + _OWNER + r"(?:[\w'.-]+\s+){0,3}" + _API + r"|"
    r"\b" + _API + r"\s+(?:reports?|says?|returns?|shows?)\b"
)
_POST_TO = (
    r"\b(?:send|make|fire)\s+(?:a\s+)?(?:post|put|request|webhook)\s+(?:request\s+)?to\b|"
    # "send it on to our enrichment api (https://…)", "push them to the endpoint"
    r"\b(?:send|push|forward|pass|hand)\s+(?:it|them|the\s+\w+|each\s+one)\s+(?:on\s+|over\s+|along\s+)?"
    r"(?:to|into)\s+" + _OWNER + r"(?:[\w'.-]+\s+){0,3}(?:api|endpoint|webhook|url|service)\b|"
    r"\bpost\s+(?:it\s+|them\s+|the\s+\w+\s+)?to\s+" + _OWNER + r"(?:[\w'.-]+\s+){0,3}"
    r"(?:api|endpoint|webhook|url)\b|\b(?:call|hit|notify|ping)\s+"
    + _OWNER
    + r"(?:[\w'.-]+\s+){0,3}"
    r"webhook\b"
)
_API_HOST = "https://api.example.com"
_SECRET_OF = re.compile(
    r"(?:[a-z0-9.]+(?:\s*,\s*|\s+and\s+|\s*&\s*)){0,5}[a-z0-9.]+\s+"
    r"(?:(?:api|secret|access|private)\s+)?(?:keys?|tokens?|credentials?|passwords?|secrets?)\b"
)


def named_external_tools(text: str, *, loose: bool = False) -> list[str]:
    """The integration-less tools a normalised request names, in order, each once.

    The one list of tool names the planner reads: product names first; with `loose`, then the
    everyday words that also name a tool (spoken forms such as "text me" → "twilio").
    """
    text = _SECRET_OF.sub(" ", text)  # "our shopify keys" is about a secret, not Shopify data
    text = strip_quoted(text)  # "mentions of 'postgres'" is a keyword, not the database
    found = [_name(m.group(0)) for m in re.finditer(EXTERNAL_TOOLS, text)]
    if loose:
        found += [_name(m.group(0)) for m in re.finditer(_EVERYDAY_NAMES, text)]
    found += unknown_apps(text, found + list(CRM_SOURCES))  # "in traccar": a tool nobody listed
    return list(dict.fromkeys(found))


def first_named_tool(text: str) -> str | None:
    """The tool named first in the text, product names and everyday names alike, or None."""
    found = re.search(LOOSE_TOOLS, text)
    return _name(found.group(0)) if found else None


def _name(word: str) -> str:
    word = re.sub(r"\s+", " ", word)
    return _SPOKEN.get(word, word)


def external_writes(text: str) -> list[str]:
    """Tools the request writes to ("add them to our Mailchimp list", "sync with Airtable")."""
    targets: list[str] = []
    found = named_external_tools(text, loose=True)
    for tool in found:
        if any(tool != other and has(other, rf"\b{re.escape(tool)}\b") for other in found):
            continue  # "drive" in "google drive": the one tool
        name = re.escape(tool).replace(r"\ ", r"\s+")
        written = _WRITE_VERB + r"[^.]{0,40}?\b(?:to|into|in|on)\s+" + _OWNER
        into = r"\binto\s+" + _OWNER + r"(?:[\w'.-]+\s+){0,2}?" + name + r"\b"  # "into my Notion"
        # "into the Backups folder on drive", "to our archive folder in dropbox"
        kept = (
            _WRITE_VERB + r"[^.]{0,60}?\b(?:to|into|in)\s+" + _OWNER + r"(?:[\w'.-]+\s+){0,2}?"
            r"(?:folder|bucket|archive|board|base|workspace|space|drive)\s+(?:on|in)\s+"
            + _OWNER
            + name
            + r"\b"
        )
        write = re.search(written + r"(?:[\w'.-]+\s+){0,2}?" + name + r"\b", text) or re.search(
            _CREATE + r"\s+(?:an?\s+|new\s+|the\s+)?" + name + r"\s+" + _RECORD, text
        )  # "create Asana tasks", "add a Notion page"
        if write and has(write.group(0), r"#|\bslack\b"):
            write = None  # "post to #proj the cards on our trello board": a read, posted in Slack
        if write or has(text, _SYNC) or has(text, into) or has(text, kept):
            targets.append(tool)
    return targets


def api_reads(text: str) -> bool:
    """Whether the request fetches from an API or endpoint (not one it posts to)."""
    return has(text, _READ_API) and not has(text, _POST_TO)


# Reading the open web: a page, prices, listings, a forecast ("check our competitors' pricing
# pages", "look at google shopping prices", "the weather for today's job sites").
_WEB_READ = (
    r"\b(?:check|checks|checking|look\s+at|looks\s+at|scan|scans|visit|scrape|scrapes|crawl|"
    r"monitor|watch|pull|fetch|grab|look\s+(?:for|up)|search)\b[^.]{0,50}?\b(?:websites?|web\s*pages?|"
    r"(?:pricing|help|product|landing|status|search|results?|listing)\s+pages?|prices?|listings?|"
    r"forecast|weather|(?:university|school|college|city|council|government|their|competitors?'?)\s+"
    r"(?:web)?sites?|"
    r"search\s+results|job\s+(?:posts|postings|ads|listings)|jobs|exchange\s+rates?|"
    r"stock\s+prices?)\b|"
    r"\b(?:the\s+)?(?:weather|forecast)\s+(?:for|in|at)\b|\bweb\s+search\b|"
    r"\b(?:anything|something|what)\s+(?:at\s+all\s+)?changes?\s+(?:on|in)\s+(?:this|that|the|our|"
    r"a|their|my)\s+(?:[\w-]+\s+){0,2}(?:page|site|website|url)\b"
)
_WEATHER = r"\bweather\b|\bforecast\b|\bfrost\b|\bheat\s*wave\b"


def web_reads(text: str) -> bool:
    """Whether the request reads something on the open web (a page, prices, a forecast)."""
    return has(text, _WEB_READ)


def web_read_inputs(text: str, site: str | None) -> dict[str, Any]:
    """A GET of the page the request names, or of a public forecast for weather."""
    if site:
        return {"method": "GET", "url": site}
    if has(text, _WEATHER):
        return {"method": "GET", "url": "https://api.open-meteo.com/v1/forecast"}
    return {"method": "GET", "url": url_of(text) if "http" in text else "https://www.example.com"}


def api_post(text: str) -> bool:
    """Whether the request sends a request to an API, endpoint, URL or webhook."""
    return has(text, _POST_TO)


def url_of(text: str, tool: str | None = None) -> str:
    """The URL the request names, else an API URL for the tool (or the generic API host)."""
    named = re.search(r"https?://[^\s)'\"]+", text)
    if named:
        return named.group(0).rstrip(".,;")
    if tool:
        return stand_in_api(tool)
    path = re.search(r"(?<![\w/])(/[a-z][\w/-]*)", text)
    return _API_HOST + (path.group(1) if path else "/status")


def records_place(text: str) -> str | None:
    """The system records live in when no tool is named: "accounts in the shop" are the shop's,
    not the CRM's ("shop", "app", "forum"), or None."""
    found = re.search(
        r"\b(?:in|from|on)\s+(?:the|our|my)\s+(?:online\s+|web\s*)?(shop|store|app|website|portal|"
        r"platform|forum|community|booking\s+system|member\s+area|lms)\b",
        text,
    )
    return found.group(1) if found else None


def stand_in_api(tool: str, path: str = "/v1") -> str:
    """The stand-in address of a tool's API, which the person fills in before approving.

    A tool's real API address is not a guess away ("api.helpdesk.com" may be anyone's site, and
    a draft calling it would hand it the trigger's data): the tool's name goes under the `.example`
    top-level domain, reserved for examples (RFC 2606), which `workflows.stand_ins` knows.
    """
    label = re.sub(r"[^a-z0-9]+", "-", tool.lower()).strip("-") or "service"
    return f"https://api.{label}.example{path}"  # "google drive" → api.google-drive.example


def get_inputs(text: str, tool: str | None = None) -> dict[str, Any]:
    """Inputs of a GET request for the tool or API the request reads."""
    return {"method": "GET", "url": url_of(text, tool)}


def post_inputs(text: str, tool: str | None = None) -> dict[str, Any]:
    """Inputs of a POST request carrying the trigger payload to the tool or API."""
    return {"method": "POST", "url": url_of(text, tool), "json": "{{ trigger }}"}


# How people write a tool's name where title case gets it wrong.
_DISPLAY = {
    "woocommerce": "WooCommerce", "github": "GitHub", "gitlab": "GitLab", "clickup": "ClickUp",
    "hubspot": "HubSpot", "jotform": "Jotform", "wpforms": "WPForms", "bigcommerce": "BigCommerce",
    "activecampaign": "ActiveCampaign", "pandadoc": "PandaDoc", "docusign": "DocuSign",
    "quickbooks": "QuickBooks", "freshbooks": "FreshBooks", "convertkit": "ConvertKit",
    "bamboo hr": "BambooHR", "bamboohr": "BambooHR", "cal.com": "Cal.com",
    "whatsapp": "WhatsApp", "youtube": "YouTube", "linkedin": "LinkedIn", "ebay": "eBay",
}  # fmt: skip


def display_name(tool: str) -> str:
    """A tool's name as its makers write it ("shopify" → "Shopify", "github" → "GitHub")."""
    return _DISPLAY.get(tool, " ".join(w[:1].upper() + w[1:] for w in tool.split()))


# The CRMs people name (intents.CRM_NAMES is read from here), and how an event from one is
# shown ("when a deal goes closed-won in hubspot" → HubSpot).
CRM_SOURCES = {
    "hubspot": "HubSpot", "pipedrive": "Pipedrive", "salesforce": "Salesforce", "zoho": "Zoho CRM",
    "close.com": "Close", "copper": "Copper", "attio": "Attio", "freshsales": "Freshsales",
    "crm": "your CRM",
}  # fmt: skip


_CRM_SOURCE = re.compile(r"\b(" + "|".join(map(re.escape, CRM_SOURCES)) + r")\b")


def event_source(clause: str) -> str | None:
    """The app named in a "when …" clause, in its usual spelling, or None."""
    named = named_external_tools(clause)
    if named:
        return display_name(named[0])
    crm = _CRM_SOURCE.search(clause)
    if crm:
        return CRM_SOURCES[crm.group(1)]
    if re.search(
        r"(?i)\b(?:pull\s+requests?|prs?)\b(?=[^.]{0,30}\b(?:merged|opened|closed|"
        r"reviewed|approved|created))",
        clause,
    ):
        return "GitHub"  # a pull request's event, with no other app named: GitHub's
    return None
