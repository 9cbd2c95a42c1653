"""Small values pulled out of a request: channels, addresses, quoted names, days, amounts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.planner.intents import (
    CRM_NAMES,
    INVOICING_TOOLS,
    SHEET_NAMES,
    STRIPE_NAMES,
    other_payment_provider,
    reads_social,
)
from agents.planner.text import has, strip_quoted
from agents.planner.tools import EXTERNAL_TOOLS
from agents.planner.when.lexicon import COUNT_WORDS

# A channel name has a letter in it: "email #1 … email #2" numbers the emails.
CHANNEL = re.compile(r"(?<![\w&])#(?=[a-z0-9_-]*[a-z])([a-z0-9][a-z0-9_-]{0,79})")
_ADDRESS = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_QUOTED = re.compile(r"(?:^|[\s(:])['\"]([^'\"]{2,60}?)['\"](?=[\s,.;:!?)]|$)")
_DAY_LIST = re.compile(r"\bdays?\s+(\d{1,3}(?:\s*(?:,|/|and|&)\s*(?:day\s+)?\d{1,3})*)")
_COUNT = r"\d{1,3}|" + "|".join(sorted(COUNT_WORDS, key=len, reverse=True))
# "wait 3 days", "a week after signup", "two days later", "5 days after that"
_AFTER = re.compile(
    r"\b(?:wait|after)\s+(?P<wait>" + _COUNT + r")\s+(?P<wait_unit>days?|weeks?)\b|"
    r"\b(?P<count>" + _COUNT + r")\s+(?P<unit>days?|weeks?)\s+(?P<since>later|after\s+(?:that|"
    r"it|the\s+(?:first|previous|last|one\s+before)(?:\s+one)?))\b|"
    r"\b(?P<from>" + _COUNT + r")\s+(?P<from_unit>days?|weeks?)\s+after\b"
)
_AMOUNT = re.compile(
    r"\b(?:over|above|more\s+than|greater\s+than|bigger\s+than|exceeds?|at\s+least|>)\s*"
    r"([$£€]?)\s*(\d[\d,]*(?:\.\d+)?)\s*(k|%)?"
    # "more than 4 hours", "over 30 days": a time, not an amount
    r"(?!\s*(?:\+\s*)?(?:k\b|%)?\s*(?:minutes?|mins?|hours?|hrs?|h\b|days?|weeks?|months?|years?|"
    r"seconds?|secs?|business\s+days|working\s+days)\b)(?![\d,.])"
)
_BELOW = re.compile(
    r"\b(?:below|under|less\s+than|drops?\s+below|falls?\s+below|<)\s*([$£€]?)\s*(\d[\d,]*)"
)
_FIELDS = (
    "name", "email", "phone", "company", "budget", "event date", "date", "headcount",
    "address", "order number", "amount", "guests", "service", "message", "website",
)  # fmt: skip
_FIELD_WORD = r"(?:name|phone(?:\s+number)?|company|address|title|budget|e-?mail(?:\s+address)?)"
_FIELD_LIST = re.compile(
    r"\b"
    + _FIELD_WORD
    + r"(?:\s*(?:,|/|&|\+|\band\b)\s*(?:their\s+|the\s+)?"
    + _FIELD_WORD
    + r"\b)+"
    # "… our brand name, email me": the last word is a verb with its object, not a field
    r"(?!\s+(?:me|us|them|him|her|it|everyone|the\s+team|our|my)\b)"
)
# Invoices kept somewhere else than Stripe: accounting tools, files, sheets, mail attachments.
# Invoicing and accounting tools other than Stripe: invoices named with them are kept there.
_ACCOUNTING = (
    INVOICING_TOOLS + r"|"
    r"\b(?:paddle|dropbox|google\s+drive|drive|"
    r"onedrive|folder|pdfs?|attach\w*|invoices?\s+(?:sheet|spreadsheet|tab)|(?:sheet|spreadsheet)\b"
    r"[^.]{0,40}\binvoices?|invoices?\b[^.]{0,30}\b(?:sheet|spreadsheet))\b"
)
_LABEL_LIST = re.compile(r"\b[a-z][a-z ]{1,20}(?:\s*/\s*[a-z][a-z ]{1,20}){2,}")
_AI = (
    r"\b(?:ai|gpt|gpt-?\d\w*|chatgpt|llm|a\s+model|machine\s+learning|openai|dall-?e|midjourney|"
    r"stable\s+diffusion|claude|anthropic|gemini|mistral|llama|ollama)\b"
)


@dataclass
class Slots:
    """What a normalised request names, ready for the builder."""

    text: str
    channels: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    drip_days: list[int] = field(default_factory=list)
    threshold: float | None = None
    below: bool = False
    percent: bool = False
    tools: set[str] = field(default_factory=set)
    fields: list[str] = field(default_factory=list)
    uses_ai: bool = False

    def real_channel(self, placeholder: str) -> str:
        """ "#ch0" → the channel the request named ("#expenses"); anything else unchanged."""
        found = re.fullmatch(r"#ch(\d+)", placeholder)
        if found and int(found.group(1)) < len(self.channels):
            return "#" + self.channels[int(found.group(1))]
        return placeholder


# "your ticket #XXXX is in", "order #A123": a record's number, not a channel.
_NUMBERED = re.compile(
    r"\b(?:tickets?|orders?|invoices?|issues?|cases?|prs?|pull\s+requests?|jobs?|refs?|"
    r"reference|numbers?|no\.?|bookings?|quotes?|items?)\s*$"
)


# "with #todo in the subject": a tag in a message; "the #news channel on our discord": another
# app's channel. Neither is a Slack channel.
_NOT_SLACK_AFTER = re.compile(
    r"^\s+(?:(?:in|on)\s+(?:the|its|their)\s+(?:subject|title|name|body|text|message|caption|"
    r"description)|(?:[\w-]+\s+){0,2}?(?:channel\s+|forum\s+|thread\s+)?(?:on|in)\s+(?:our\s+|the\s+|my\s+)?"
    r"(?:discord|teams|mattermost|telegram|rocket\.?chat|zulip|matrix|twitter|instagram|linkedin))\b"
)


def numbers_a_record(text: str, match: re.Match[str]) -> bool:
    """Whether a `#name` found numbers a record ("ticket #XXXX", "order #a12") or is no Slack
    channel ("#todo in the subject", "#news on our discord")."""
    name = match.group(1)
    return (
        bool(re.fullmatch(r"x{2,}|n{3,}|[x0-9-]+", name))
        or bool(_NUMBERED.search(text[max(0, match.start() - 30) : match.start()]))
        or bool(_NOT_SLACK_AFTER.search(text[match.end() : match.end() + 60]))
    )


# A channel named in words: "drop it in the nursing managers channel" is #nursing-managers.
_CHANNEL_IN_WORDS = re.compile(
    r"\b(in|into|to|on)\s+(?:the|our)\s+((?:[a-z][a-z0-9-]*\s+){0,2}[a-z][a-z0-9-]*)\s+"
    r"(?:slack\s+)?channel\b"
)
_NOT_A_NAME = frozenset(
    [
        "right",
        "correct",
        "appropriate",
        "relevant",
        "same",
        "other",
        "proper",
        "slack",
        "a",
        "any",
        "each",
        "every",
        "one",
        "that",
        "this",
        "their",
        "his",
        "her",
        "my",
        "your",
        "private",
        "public",
        "shared",
        "usual",
        "main",
        "new",
        "old",
    ]
)


# "our telegram channel", "the youtube channel": another app's channel, not a Slack one.
_OTHER_APPS = frozenset(
    {"slack", "teams", "discord", "telegram", "whatsapp", "signal", "youtube", "twitch",
     "mattermost", "rocketchat", "rocket.chat", "matrix", "zulip", "instagram", "tiktok", "tv"}
)  # fmt: skip


def channel_in_words(text: str) -> str:
    """`text` with a channel named in words written as a `#channel`."""

    def named(found: re.Match[str]) -> str:
        words = found.group(2).split()
        if len(words) > 1 and words[-1] == "slack":  # "our ops slack channel": #ops, in Slack
            words = words[:-1]
        if words[0] in _NOT_A_NAME or any(w in _OTHER_APPS for w in words):
            return found.group(0)
        return f"{found.group(1)} #{'-'.join(words)}"

    return _CHANNEL_IN_WORDS.sub(named, text)


def read_slots(text: str) -> Slots:
    """Extract the slots the builder needs from a normalised request."""
    text = channel_in_words(text)
    slots = Slots(text=text)
    found = [m for m in CHANNEL.finditer(text) if not numbers_a_record(text, m)]
    slots.channels = list(dict.fromkeys(m.group(1) for m in found))
    # Channel names stay out of word matching ("#inbox-review" is not a review feed).
    for match in reversed(found):
        placeholder = "#ch" + str(slots.channels.index(match.group(1)))
        text = text[: match.start()] + placeholder + text[match.end() :]
    slots.text = text
    slots.addresses = list(dict.fromkeys(_ADDRESS.findall(text)))
    slots.quoted = [q.strip() for q in _QUOTED.findall(text)]
    days: list[int] = []
    for match in _DAY_LIST.finditer(text):
        days.extend(int(n) for n in re.findall(r"\d{1,3}", match.group(1)))
    previous = max(days, default=0)
    for match in _AFTER.finditer(text):
        count = match.group("wait") or match.group("count") or match.group("from")
        unit = match.group("wait_unit") or match.group("unit") or match.group("from_unit")
        day = (int(count) if count.isdigit() else COUNT_WORDS[count]) * (
            7 if unit.startswith("week") else 1
        )
        # "after that" counts from the one before; "N days later" too, unless N is past it
        # ("a week later and 2 weeks later" are days 7 and 14)
        since = match.group("since") or ""
        if since.startswith("after") or (since == "later" and day <= previous):
            day += previous
        days.append(day)
        previous = day
    slots.drip_days = sorted({d for d in days if 0 < d <= 365})
    amount = _AMOUNT.search(text)
    if amount:
        value = float(amount.group(2).replace(",", ""))
        slots.threshold = value * 1000 if amount.group(3) == "k" else value
        slots.percent = amount.group(3) == "%"
    elif _BELOW.search(text):
        slots.below = True
    slots.fields = [f for f in _FIELDS if has(text, r"\b" + f + r"s?\b")]
    # "name, email and phone" lists fields to read; it is not a request to send email.
    slots.text = text = _FIELD_LIST.sub(lambda m: m.group(0).replace("email", "e_mail"), text)
    slots.uses_ai = has(text, _AI)
    # Category labels ("refund / invoice question / other") name categories, not tools.
    # Quoted keywords ("mentioning 'CRM'") name what to look for, not a tool to use.
    slots.tools = named_tools(strip_quoted(_LABEL_LIST.sub(" ", text)), bool(slots.channels))
    return slots


def named_tools(text: str, has_channel: bool) -> set[str]:
    """The integrations a request names or clearly implies (before any step is chosen)."""
    tools: set[str] = set()
    if has(text, CRM_NAMES):
        tools.add("crm")
    if has(text, r"\bgoogle\s+sheets?\b|\bspreadsheets?\b|\bsheets?\b|\bexcel\b|\b\w+\s+tab\b"):
        tools.add("sheets")
    # Invoices in QuickBooks or Xero are that tool's, not Stripe's.
    elsewhere = has(text, _ACCOUNTING) or other_payment_provider(text)  # their invoices
    if has(text, STRIPE_NAMES) and (has(text, r"\bstripe\b") or not elsewhere):
        tools.add("stripe")
    if reads_social(text):
        tools.add("rss")
    if has_channel or has(text, r"\bslack\b"):
        tools.add("slack")
    if has(text, r"\b(?:e-?mails?|mail|inbox|reply|replies|newsletter)\b|@"):
        tools.add("email")
    if has(text, r"\b(?:rest\s+api|api|endpoint|in-house|homemade|webhook\s+to)\b") or has(
        text, EXTERNAL_TOOLS
    ):
        tools.add("http")
    if has(text, _AI):
        tools.add("ai")
    if has(text, SHEET_NAMES) and "sheets" not in tools:
        tools.add("sheets")
    return tools
