"""Steps for what the model is sure the request needs and the rules drafted nothing for.

The rules draft the steps whose words they know; phrasings they miss ("have AI judge it", "text
me on WhatsApp", "pull the numbers from ClickUp") still show in the learned model's integration
guesses. When the model is confident and no step uses that integration yet, one plain step of
it is added where it belongs (AI before what it feeds; reads first), so no asked-for work is
left out. The model never removes a step: that would make a draft narrower than the request.
"""

from __future__ import annotations

import re
from typing import Any

from agents.learned import Prediction
from agents.planner import tools
from agents.planner.ai_steps import labels_of, source_text
from agents.planner.intents import (
    CRM_NAMES,
    TriggerReading,
    event_clause,
    other_payment_provider,
    poll_url,
    without_event_clause,
    without_start,
)
from agents.planner.records import sheet_name, tab_of
from agents.planner.slots import Slots
from agents.planner.steps import KEPT_BY, StepList
from agents.planner.text import has, posted_to_masked

# A step is added for an integration the model gives at least this probability.
SURE = 0.6
_SOURCE_OF_TRIGGER = {"email": "email", "stripe": "stripe", "slack": "slack", "poll": "rss"}
_SUMMARISE = r"\bsummar\w*|\bdigest\b|\bbrief\w*|\bsum\s+up|\bmain\s+(?:points|themes)|\btl;?dr"
_JUDGE = (
    r"\bclassif\w*|\bcategori\w*|\bsort\w*|\btag\w*|\blabel\w*|\bscor\w*|\bdecid\w*|\bjudg\w*|"
    r"\bflag\w*|\bsentiment|\bdetect\w*|\bcheck\w*\s+(?:if|whether)|\bspam\b|\bqualif\w*|\brank\w*"
)
_EXTRACT = r"\bextract\w*|\bpull\w*\s+out|\bpars\w*|\bread\w*\s+(?:the\s+)?(?:\w+,\s*)*\w+\s+and\b"
_WRITE = (
    r"\b(?:draft|write|writes|compose|generate|reply|replies|answer|answers|respond|personali[sz]\w*|"
    r"turn\s+\w+\s+into|rewrite|translate|create\s+(?:a\s+)?(?:post|caption|summary|description))\b"
)
_WRITE_NEAR = (
    r"\b(?:add|create|save|send|post|put|upload|update|log|publish|text|message|notify|share|"
    r"store|book|block|schedule|move|mark|copy|push|tweet|dm)\w*\b"
)


_MAKES_RECORD = (
    r"\b(?:open|opens|create|creates|raise|raises|file|files|add|adds|log|logs)\s+(?:an?\s+|the\s+)?"
    r"(?:new\s+)?(?:ticket|task|card|issue|case|record|entry|item|job|request)s?\b"
)


_MESSENGER = (
    r"\b(?:on|via|through|thru|using|by|in|to|over|with)\s+(?:our\s+|my\s+|the\s+|a\s+)?"
    r"(whatsapp|telegram|sms|text(?:\s+message)?|twilio|discord|microsoft\s+teams|teams|signal|"
    r"messenger)\b|"
    # "a telegram bot for our restaurant … the AI answers": the answer goes back where they asked
    r"\b(whatsapp|telegram|discord|messenger)\s+(?:bot|chatbot|assistant)\b|"
    # "send the customer a whatsapp", "telegram msg to the team chat"
    r"\b(?:a|an)\s+(whatsapp|telegram|signal)\b(?!\s+(?:group|channel|chat|number|account)\b)|"
    # "ping our discord", "alert the telegram group": a message to where the team talks
    r"\b(?:ping|notify|alert|message|tell)\s+(?:our|the|my)\s+(discord|telegram|teams|whatsapp)\b|"
    # "the #alerts discord channel", "the team telegram group": where the message goes
    r"\b(discord|telegram|whatsapp|teams)\s+(?:channel|group|chat|server)\b|"
    # "a browser push notification", "push a reminder to our app users": a push service's
    r"\b(?:browser|web|mobile|app|phone)\s+(push)\s+(?:notifications?|messages?|alerts?)\b|"
    r"\b(push)\s+(?:notifications?|a\s+(?:reminder|message|notification|alert))\b(?=[^.]{0,40}"
    r"\b(?:users?|customers?|members?|app|phones?|devices?|subscribers?)\b)|"
    # "whatsapp the duty manager", "telegram me": the app's name as the verb
    r"(?<!\bin\s)(?<!\bon\s)\b(whatsapp|telegram)\s+(?:me|us|them|him|her|the|each|every|our|my|all)\b|"
    r"\b(whatsapp|telegram|signal)\s+(?:messages?|msgs?|dms?|notifications?|alerts?|pings?)\b"
    r"(?![^.]{0,20}\b(?:come|comes|arrive|arrives|in)\b)"
)
_MESSENGER_API = {
    "whatsapp": "https://graph.facebook.com/v19.0/me/messages",
    "telegram": "https://api.telegram.org/bot/sendMessage",
    "discord": "https://discord.example/api/webhooks/your-channel",  # its own secret address
    "teams": "https://teams.example/webhook/your-channel",
    "twilio": "https://api.twilio.com/2010-04-01/Messages.json",
    "signal": "https://api.signal.example/v2/send",
    "messenger": "https://graph.facebook.com/v19.0/me/messages",
    "push": "https://api.push-service.example/v1/notifications",  # OneSignal, Firebase…: theirs
}


# "text the customer a confirmation", "(twilio)", "sms them": a text message, sent by SMS.
_NOT_A_VERB = r"(?<!\bthe\s)(?<!\ba\s)(?<!\bthis\s)(?<!\bthat\s)(?<!\byour\s)(?<!\bour\s)"
_TEXTING = (
    _NOT_A_VERB
    + r"\btext\s+(?:me|us|them|him|her|my\s+\w+|the\s+(?:customer|client|buyer|guest|patient|"
    r"driver|tenant|owner|lead|parent|student|member|caller|team|tech|technician|courier)s?|"
    r"(?:each|every|all|our|their)\s+\w+|customers?|clients?|buyers?|guests?|patients?)\b|"
    # "text students an hour before", "text the next client on the waiting list", "text the pet
    # owner": a person (one or two words before who) after the verb
     + _NOT_A_VERB + r"\btext\s+(?:the\s+|any\s+|a\s+)?"
    r"(?:[a-z'-]+\s+){0,2}(?:students?|students'|parents?|owners?|clients?|customers?|members?|"
    r"tenants?|volunteers?|attendees?|applicants?|candidates?|employees?|staff|approvers?|"
    r"managers?|reps?|agents?|technicians?|drivers?|guests?|patients?|people|person|everyone|"
    r"anyone|whoever|on-?call|donors?|players?|riders?|residents?|users?)\b|"
    r"\bsms\b|\btext\s+messages?\b|\(\s*twilio\s*\)|"
    # "text + email me", "text and email us": a text as well as the email
    r"\btext\s*(?:\+|&|/|and|or)\s*e-?mail\s+(?:me|us)\b"
)


# "the #alerts discord channel", "the discord #newsstand channel", "#releases channel on our
# discord": the channel named is that app's, not Slack's.
_CHANNEL_ELSEWHERE = (
    r"#[\w-]+\s+(?:discord|telegram|teams)\s+(?:channel|group|chat)\b|"
    r"\b(?:discord|telegram|teams)\s+#[\w-]+|"
    r"#[\w-]+(?:\s+(?:channel|group|chat))?\s+(?:on|in)\s+(?:our\s+|the\s+|my\s+)?"
    r"(?:discord|telegram|teams)\b"
)


def route_messages(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """ "Send it on WhatsApp", "text me via Twilio": through that tool, not by email.

    When the request also asks for an email ("text the customer and email them too"), the
    message goes out both ways: the email steps stay.
    """
    found = re.search(_MESSENGER, t) or re.search(_TEXTING, t)
    if not found:
        return
    also_email = has(t, r"\be-?mail\w*|\binbox\b")
    if also_email and not re.search(_TEXTING, t) and not has(t, r"\bwhatsapp|\btelegram"):
        return
    named = next(g for g in found.groups() if g) if found.re.pattern == _MESSENGER else "twilio"
    name = named.replace("microsoft ", "")
    name = "twilio" if name in ("sms", "text", "text message") else name
    url = _MESSENGER_API.get(name) or tools.stand_in_api(name, "/v1/messages")
    sends = [
        s for s in steps.items
        if s.get("action") == "email.send" and "trigger.from" not in str(s["inputs"].get("to"))
    ]  # fmt: skip
    body = sends[0]["inputs"].get("text", "{{ trigger | summary }}") if sends else _body(steps)
    for send in [] if also_email else sends:
        steps.items.remove(send)
    # "the #alerts discord channel": the one channel named is Discord's, not Slack's
    place = re.search(_CHANNEL_ELSEWHERE, t)
    if place and not has(t, r"\bslack\b") and len(set(re.findall(r"#[\w-]+", t))) == 1:
        for post in [s for s in steps.items if s.get("action") == "slack.post_message"]:
            steps.items.remove(post)
    if not any(
        s.get("action") == "http.request" and name in str(s["inputs"].get("url", ""))
        and s["inputs"].get("method") != "GET"
        for s in steps.items
    ):  # fmt: skip
        steps.add(f"send_{name}", "http.request",
                  {"method": "POST", "url": url, "json": {"text": body}})  # fmt: skip


def add_model_steps(
    steps: StepList, t: str, trigger: TriggerReading, slots: Slots, prediction: Prediction | None
) -> None:
    """Add one step per integration the model is sure of and no step (or trigger) covers yet."""
    if prediction is None:
        return
    covered = {str(s.get("action", "")).split(".", 1)[0] for s in steps.items}
    if any("slack.com/api" in str(s.get("inputs", {}).get("url", "")) for s in steps.items):
        covered.add("slack")  # Slack's own API already called ("remove them from the channel")
    source = _SOURCE_OF_TRIGGER.get(trigger.kind)
    if source:
        covered.add(source)
    from agents.planner.rules import report_reads_crm

    if "hubspot" in covered or report_reads_crm(steps):  # a contacts/deals report reads it
        covered.add("crm")
    if other_payment_provider(t):
        covered.add("stripe")  # "a past-due quickbooks invoice": that tool's, not Stripe's
    only_starts = has(t, CRM_NAMES) and not has(without_start(t), CRM_NAMES)
    if trigger.kind in ("webhook", "poll") and only_starts:
        covered.add("crm")  # "deal moves to closed won in hubspot -> …": it only starts it
    wanted = [
        name
        for name, p in sorted(prediction.integrations.items(), key=lambda kv: -kv[1])
        if p >= SURE and name not in covered
    ]
    for name in wanted:
        adder = _ADDERS.get(name)
        if adder is not None:
            adder(steps, t, trigger, slots)


def _add_ai(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    source = source_text(steps, trigger)
    if has(t, _WRITE) and not has(t, _JUDGE + r"|" + _SUMMARISE):
        step: dict[str, Any] = {"id": "draft_text", "action": "ai.draft_reply",
                                "inputs": {"message": source}}  # fmt: skip
        output = "{{ steps.draft_text.reply }}"
    elif has(t, _JUDGE):
        labels = labels_of(t) or ["yes", "no"]
        step = {"id": "judge", "action": "ai.categorize",
                "inputs": {"text": source, "labels": labels, "fallback": labels[-1]}}  # fmt: skip
        output = ""
    elif has(t, _EXTRACT) and slots.fields:
        step = {"id": "extract", "action": "ai.extract",
                "inputs": {"text": source, "fields": slots.fields}}  # fmt: skip
        output = ""
    else:
        step = {"id": "summarize", "action": "ai.summarize",
                "inputs": {"text": source, "max_sentences": 3}}  # fmt: skip
        output = "{{ steps.summarize.summary }}"
    _insert_before_outputs(steps, step)
    if output:
        _feed(steps, step["id"], output)


def _add_http(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    rest = t if trigger.kind in ("schedule", "manual", "interval") else without_event_clause(t)
    feeds = {trigger.spec.get("url")} | {
        s["inputs"].get("url") for s in steps.items if s.get("action") == "rss.new_items"
    }
    if tools.url_of(t) in feeds:
        return  # the address named is the feed being watched
    tool = _tool(rest) or _tool(t)
    if (
        tool is None
        and not has(t, r"https?://|\bapi\s+keys?\b|\bendpoint|\bwebhook|\bwebsite|\bsite\b|\burl\b")
        and not has(rest, r"\bapi\b")  # "when the api throws errors": the event's sender
    ):
        return  # nothing named to reach: no made-up address
    source = str(trigger.spec.get("source") or "").lower()
    if tool is not None and _tool(rest) is None and source and tool.lower() in source:
        return  # "a new order comes in from shopify": the event carries it, nothing to fetch
    writes = tool is not None and (
        has(rest, _WRITE_NEAR + r"[^.]{0,50}\b" + re.escape(tool).replace(r"\ ", r"\s+") + r"\b")
        # "/ticket in slack should open a new ticket from the message": a record made there
        or (len(tools.named_external_tools(rest, loose=True)) == 1 and has(rest, _MAKES_RECORD))
    )
    slug = re.sub(r"\W+", "_", tool or "api").strip("_")
    if writes or (tool is None and tools.api_post(rest)):
        inputs = tools.post_inputs(t, tool)
        steps.add(f"send_to_{slug}", "http.request", inputs)
        return
    step = {"id": f"fetch_{slug}", "action": "http.request", "inputs": tools.get_inputs(t, tool)}
    _insert_first(steps, step)


# Acts on the record the event brings, done in the tool it came from: "assign it to …", "set the
# due date", "add our testing checklist", "label it urgent".
_ON_THE_RECORD = (
    r"\b(?:assign|label|tag|move|close|reopen|archive|update|comment\s+on)\s+(?:it|them|the\s+"
    r"(?:card|ticket|issue|task|deal|item|story|bug))\b|"
    r"\bset\s+(?:the|its|their)\s+(?:due\s+date|status|priority|owner|assignee|label)\b|"
    r"\badd\s+(?:our|the|a|an)\s+(?:[\w-]+\s+){0,3}?(?:checklist|label|tag|comment)\b"
)


def write_back(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """Acts on the record an event brings ("card moves to QA in trello -> assign it, set the due
    date") are a call to the tool it came from, whatever the model thought."""
    if trigger.kind not in ("webhook", "poll"):
        return
    source = str(trigger.spec.get("source") or "").lower()
    start = event_clause(t) or re.split(r"[,.;:>→]", t)[0]
    tool = _tool(start)
    acts = t.replace(start, " ", 1)
    if tool is None or tool.lower() not in source or not has(acts, _ON_THE_RECORD):
        return
    if has(acts, CRM_NAMES) or tools.named_external_tools(acts, loose=True):
        return  # "add the lead to pipedrive and assign it to tom": done where it was added
    slug = re.sub(r"\W+", "_", tool).strip("_")
    if not any(s.get("id") == f"send_to_{slug}" for s in steps.items):
        steps.add(f"send_to_{slug}", "http.request", tools.post_inputs(t, tool))


def _tool(text: str) -> str | None:
    named = tools.named_external_tools(text, loose=True)
    return named[0] if named else None


def _add_email(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    from agents.planner.notify import without_conditions, without_email_fields

    # "opened an email" asks no send, nor does "look them up by their email"
    asked = without_email_fields(without_conditions(t))
    if not has(asked, r"\be-?mail\w*|\binbox\b|\bmail\b|@[\w-]+\.\w+|\bnewsletter"):
        return  # the medium is not named: the model's hunch alone is no recipient
    if (
        trigger.kind not in ("schedule", "manual", "interval")
        and not slots.addresses
        and not has(asked, r"\b(?:me|us|myself|ourselves|my|our)\b")
    ):
        return  # "send a mail whenever a deploy finishes": who reads it is asked, not guessed
    to: Any = slots.addresses[0] if slots.addresses else "member:me"
    steps.add("email_update", "email.send", {"to": to, "subject": "Update", "text": _body(steps)})


def _add_slack(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    from agents.planner.notify import cleans_slack

    if not (slots.channels or has(t, r"\bslack\b")) or (not slots.channels and cleans_slack(t)):
        return  # no channel and no Slack named (or only as where it deletes): nowhere to post
    channel = f"#{slots.channels[0]}" if slots.channels else "#general"
    steps.add("post_update", "slack.post_message", {"channel": channel, "text": _body(steps)})


_FIGURES = (
    r"\breports?\b|\bnumbers?\b|\bfigures\b|\bcount\w*\b|\bhow\s+many\b|\btotals?\b|\bkpis?\b|"
    r"\bmetrics?\b|\bstats?\b|\bstatistics\b|\brevenue\b|\bmrr\b|\bsales\b|\baverage|\bper\s+\w+|"
    r"\bsum\b|\bbreakdown\b|\bdashboard\b"
)


def _add_report(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    from agents.planner.rules import HANDED_IN_REPORTS, period

    if not has(t, _FIGURES) or steps.first("alert.crossed"):
        return  # a digest of posts lists them, and a metric check alerts: neither counts runs
    handed_in = has(t, HANDED_IN_REPORTS)
    if handed_in and not has(re.sub(HANDED_IN_REPORTS, " ", t), r"\breports?\b"):
        return  # "remind the team to get their weekly reports in": nothing to build

    step = {"id": "build_report", "action": "report.build",
            "inputs": {"period": period(t), "title": "Report"}}  # fmt: skip
    _insert_before_outputs(steps, step)
    _feed(steps, "build_report", "{{ steps.build_report.text }}")


# What a feed step reads: a feed, blog, news, forum or review site, mentions, a web address, or
# someone else's posts ("when @rival tweets", "new posts in r/smallbusiness").
_SOMETHING_TO_READ = (
    r"\brss\b|\bfeeds?\b|\bblogs?\b|\bnews\b|\breleases?\b|\bchangelogs?\b|\breddit\b|\br/\w+|\bhacker\s*news\b|\bpodcasts?\b|"
    r"\bmentions?\w*\b|\breviews?\b|\bhashtags?\b|https?://|\b[\w-]+\.(?:com|io|org|net|co)\b|"
    r"\b(?:tweets?|posts?|videos?|episodes?|articles?|threads?)\s+(?:by|from|of|about|on|in|"
    r"mentioning|that\s+mention)\b|\b(?:new|latest)\s+(?:tweets?|posts?|videos?|episodes?|"
    r"articles?|threads?)\b|@\w+\s+(?:tweets?|posts?)\b|\b(?:keep\s+an\s+eye|monitor|watch|track)\w*\b"
)


def _add_rss(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    from agents.planner.rules import FEED_NAMED

    t = posted_to_masked(t)  # a network posted to is no feed to read
    if trigger.kind == "slack" and not has(t, FEED_NAMED):
        return  # "when someone @mentions the bot": a Slack event, no feed to read
    if trigger.kind in ("webhook", "stripe", "email") and not has(t, FEED_NAMED):
        return  # "new mailchimp subscriber -> add them to our twitter list": an event, no feed
    if not has(t, _SOMETHING_TO_READ):
        # "post our daily special to twitter and facebook", "have ai write our social media
        # posts", "a digest of the open PRs": posts made or records listed, no feed read
        return
    url = trigger.spec.get("url") or poll_url(t, slots.quoted)
    step = {"id": "new_items", "action": "rss.new_items",
            "inputs": {"url": url, "keywords": slots.quoted[:5]}}  # fmt: skip
    _insert_first(steps, step)


def _add_sheets(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    name, tab = sheet_name(t), tab_of(t)
    if has(t, r"\b(?:add|log|append|save|record|write|put|store)\w*\b"):
        inputs = {"spreadsheet": name, "sheet": tab, "values": "{{ trigger }}"}
        steps.add("append_row", "sheets.append_row", inputs)
        return
    step = {"id": "read_rows", "action": "sheets.read_rows",
            "inputs": {"spreadsheet": name, "sheet": tab}}  # fmt: skip
    # the records were read from "the system that keeps them", which no word named: the sheet
    # the model is sure of is that system
    steps.items[:] = [s for s in steps.items if not str(s.get("name", "")).endswith(KEPT_BY)]
    _insert_first(steps, step)


def _add_crm(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    if has(t, r"\b(?:add|create|save|update|log|put|push|record|mark|move|tag)\w*\b"):
        inputs = {"email": "{{ trigger.email }}", "name": "{{ trigger.name }}",
                  "source": "workflow"}  # fmt: skip
        steps.add("save_contact", "crm.upsert_contact", inputs)
        return
    step = {"id": "find_contacts", "action": "crm.find_contacts", "inputs": {"limit": 100}}
    _insert_first(steps, step)


def _add_stripe(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    from agents.planner.rules import period

    if has(t, r"\binvoice"):
        step = {"id": "open_invoices", "action": "stripe.list_invoices",
                "inputs": {"status": "open"}}  # fmt: skip
    else:
        step = {"id": "payments", "action": "stripe.summarize_payments",
                "inputs": {"period": period(t)}}  # fmt: skip
    _insert_first(steps, step)


_ADDERS = {
    "ai": _add_ai,
    "http": _add_http,
    "email": _add_email,
    "slack": _add_slack,
    "report": _add_report,
    "rss": _add_rss,
    "sheets": _add_sheets,
    "crm": _add_crm,
    "stripe": _add_stripe,
}
_OUTPUTS = ("slack.post_message", "email.send", "email.send_bulk")


def _body(steps: StepList) -> str:
    for step_id, field in (("summarize", "summary"), ("draft_text", "reply"),
                           ("draft_reply", "reply"), ("build_report", "text")):  # fmt: skip
        if any(s["id"] == step_id for s in steps.items):
            return "{{ steps." + step_id + "." + field + " }}"
    return "{{ trigger | summary }}"


def _insert_first(steps: StepList, step: dict[str, Any]) -> None:
    """A read goes before every other step."""
    step["id"] = _unique(steps, step["id"])
    steps.items.insert(0, step)


def _insert_before_outputs(steps: StepList, step: dict[str, Any]) -> None:
    """An AI or report step goes before the first step that sends or writes."""
    step["id"] = _unique(steps, step["id"])
    for index, existing in enumerate(steps.items):
        action = str(existing.get("action", ""))
        writes = action.startswith("http.") and existing["inputs"].get("method") != "GET"
        if action in _OUTPUTS or writes or action.startswith(("sheets.append", "crm.upsert")):
            steps.items.insert(index, step)
            return
    steps.items.append(step)


def _feed(steps: StepList, step_id: str, output: str) -> None:
    """Messages that only repeated the trigger now carry the new step's result."""
    after = False
    for step in steps.items:
        if step["id"] == step_id:
            after = True
            continue
        text = step.get("inputs", {}).get("text")
        if after and step.get("action") in _OUTPUTS and text == "{{ trigger | summary }}":
            step["inputs"]["text"] = output


def _unique(steps: StepList, base: str) -> str:
    taken = {s["id"] for s in steps.items}
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"
