"""Tools nobody listed: a word in a tool's place that is no everyday word.

"when one of our vans leaves the depot geofence in traccar", "when zoneminder picks up motion",
"turn it into a task in tine": the app lists (agents/learned/app_names.json, tools.py) cannot
hold every product, but the words around a tool say where one stands. A word there that is
neither an everyday English word nor one automation templates write in lower case
(agents.learned.vocabulary) is read as a product's name, reached like a named one over
`http.request`.
"""

from __future__ import annotations

import re

from agents.learned.vocabulary import is_everyday_word

_DETERMINER = r"(?:(?:our|the|my|their|your)\s+)?(?:self-?hosted\s+|own\s+)?"
_NAME = r"([a-z][a-z0-9]{2,}(?:\.(?:com|io|net|app|co|ai))?)"
_AFTER = (
    r"(?=\s*(?:$|[,.;:!?)]|\s(?:and|or|when|whenever|then|so|for|if|once|every|each|too|"
    r"instead|account|app|instance)\b))"
)
# "in traccar,", "into our ninox database"'s "ninox" is caught by the next pattern
_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|into|from|on|via|through|using|inside)\s+"
    + _DETERMINER
    + _NAME
    + _AFTER
    + r"|\bto\s+(?:our|my|the)\s+(?:self-?hosted\s+|own\s+)?"
    + _NAME
    + _AFTER
)
# "a wekan card", "our plex server", "the glpi tickets"
_BEFORE_NOUN = re.compile(
    r"\b" + _NAME + r"\s+(?:app|tool|instance|server|dashboard|board|cards?|account|workspace|"
    r"projects?|inbox|api|bot|webhooks?|events?|entries|tickets?|cases?|records?|database|db|"
    r"feed|page|site|portal|list)\b"
)
# "when zoneminder picks up motion", "if teslamate shows the car unlocked"
_AS_SUBJECT = re.compile(
    r"\b(?:when|whenever|if|once)\s+" + _NAME + r"\s+(?:picks|shows|sends|detects|reports|has|"
    r"creates|flags|says|marks|logs|fires|triggers|sees|registers|notices|gets|receives|raises|"
    r"opens|posts)\b"
)
# Words in those places that are no product: filler, shorthand, our own words.
_NOT_A_NAME = frozenset(
    [
        "dont",
        "wont",
        "cant",
        "isnt",
        "doesnt",
        "didnt",
        "havent",
        "hasnt",
        "arent",
        "wasnt",
        "shouldnt",
        "couldnt",
        "wouldnt",
        "im",
        "ive",
        "ill",
        "id",
        "thats",
        "theres",
        "whats",
        "lets",
        "pls",
        "plz",
        "asap",
        "thx",
        "tho",
        "etc",
        "eg",
        "ie",
        "fyi",
        "levqor",
    ]
)


def unknown_apps(text: str, known: list[str]) -> list[str]:
    """The product names a lower-case request puts in a tool's place that no list knows, in
    order, each once; none in a request not written in English (every word would be unknown)."""
    found: list[str] = []
    for pattern in (_AFTER_PREPOSITION, _BEFORE_NOUN, _AS_SUBJECT):
        for match in pattern.finditer(text):
            name = next(group for group in match.groups() if group)
            if _is_product(name, known) and name not in found:
                found.append(name)
    if found and _mostly_unknown(text):
        return []
    return found


# Levqor's own integrations, the CRMs it reads, and formats: never a tool reached over HTTP.
_INTEGRATIONS = re.compile(
    r"(?:slack|stripe|gmail|sheets?|excel|google|microsoft|outlook|office365|openai|chatgpt|gpt\d*|"
    r"claude|gemini|zapier|make|n8n|levqor|sendgrid|mailgun|postmark|smtp|imap|rss|atom|webhooks?|"
    r"apis?|csv|pdfs?|json|xml|html|sql|hubspot|pipedrive|salesforce|zoho|close\.com|copper|attio|"
    r"freshsales|keap|insightly|nutshell|capsule|agilecrm|sugarcrm|dynamics|crm|sftp|ftps?|ssh|https?|"
    r"pop3|dns|vpn|ldap|saml|sso|oauth|mqtt|cron|nas|usb|sms|mms|ical|ics|rdp|smb|webdav)"
)


def _is_product(name: str, known: list[str]) -> bool:
    if name in _NOT_A_NAME or name.isdigit() or any(name in k.split() for k in known):
        return False
    if _INTEGRATIONS.fullmatch(name):
        return False
    return not is_everyday_word(name)


def _mostly_unknown(text: str) -> bool:
    """Whether a fifth of the request's words are no everyday English words (another language)."""
    words = re.findall(r"[a-z][a-z']+", text)
    unknown = [w for w in words if len(w) > 2 and not is_everyday_word(w)]
    return len(words) >= 5 and len(unknown) * 5 >= len(words)
