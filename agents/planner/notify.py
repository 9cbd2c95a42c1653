"""Notification steps: emails (internal member refs vs external people, drips) and Slack posts."""

from __future__ import annotations

import re
from typing import Any

from agents.planner import risk_cues
from agents.planner.intents import TriggerReading, mask_inbound, without_start
from agents.planner.recipients import (
    BULK,
    NO_SEND,
    PEOPLE,
    STAFF,
    named_destinations,
    wants_external,
    without_inbound,
)
from agents.planner.records import REMOVES_MEMBERSHIP, removes_from
from agents.planner.slots import Slots
from agents.planner.steps import StepList
from agents.planner.text import has

_INTERNAL = (
    r"\b(?:email|e-mail|mail|send|cc|escalate|forward)\w*\b(?:[^.]{0,40}?)\b(?:to\s+)?(me|myself|us|"
    r"my\s+co-?founder|my\s+(?:business\s+)?partner|the\s+owners?|admins?|"
    r"(?:the|our|my)\s+(?:[a-z]+\s+)?team|everyone|all\s+(?:the\s+)?staff|(?:our|the)\s+staff|"
    r"(?:every|each|all\s+(?:the|our)?)\s*(?:salesperson|salespeople|sales\s+reps?)|"
    r"my\s+(?:boss|line\s+manager|manager)|the\s+boss|the\s+board(?:\s+members)?|" + STAFF + r")\b"
)
_REMIND_INTERNAL = (
    r"\bremind\s+(me|us|myself|(?:the|our|my)\s+(?:[a-z]+\s+)?team|everyone|people|"
    r"(?:the|our|all)\s+staff|(?:all\s+(?:of\s+)?)?(?:the\s+|our\s+|my\s+)?(?:employees|staff|"
    r"colleagues|co-?workers|team\s+members|engineers|managers)|" + STAFF + r")\b"
    # "remind the department heads to approve overtime": our own people by role
)
_TEAM = r"\bteam\b|\beveryone\b|\bpeople\b|\bstaff\b|\bsales\s*(?:person|people|reps?)\b|" + STAFF
# A list of our own people that starts with the asker: "email the chart to me, our CFO and the
# ops lead" (however long what is emailed is).
_TO_ME_AND = re.compile(
    r"\b(?:e-?mail|mail|send)\w*\b[^.;]{0,120}?\bto\s+(me)\s*(?:,|and\b)"
    r"(?![^.;]*\b(?:the|each|every|all|our|their)\s+" + PEOPLE + r"\b)"
)
_NOTIFY_ME_BY_EMAIL = (
    r"\b(?:alert|notify|tell|ping|warn|let)\s+(me|us)\b[^.]{0,20}"
    r"\b(?:by|via|over|with\s+an?)\s+e-?mail"
)
_EMAIL_WORDS = (
    r"\b(?:e-?mails?|mail|reply|replies|respond|answer|reminders?|survey|newsletter|promo|"
    r"forward\w*|drip|blast|mailing\s+list|auto-?respon\w*)\b|@[\w-]+\.|"
    r"\bsend\w*\s+(?:them|him|her|(?:the|each)\s+" + PEOPLE + r")\b(?!\s+(?:to|in|on)\s+#)|"
    # "remind clients 2 days before their appointment": a reminder to them, by email unless a
    # channel is named
    r"\bremind\s+(?:(?:the\s+|each\s+|every\s+|all\s+|our\s+|my\s+)?(?:[\w-]+\s+)?"
    + PEOPLE
    + r")\b(?![^.]{0,40}\b(?:by|via|over|on|in)\s+(?:sms|text|whatsapp|slack|telegram|discord))|"
    # "re-send any overdue invoice to the client": each record sent to the person it is for
    r"\b(?:re-?)?send\w*\s+(?:any|each|every)\b[^.#]{0,40}?\bto\s+(?:the|each|every)\s+"
    + PEOPLE
    + r"\b|"
    # "send an overdue notice to any client whose invoice just went past due"
    r"\bsend\w*\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?notices?\b(?!\s+(?:in|on|to)\s+#)|"
    # "ask happy customers to leave a review": a message to them, by email unless said otherwise
    r"\bask\s+(?:our\s+|the\s+|each\s+|every\s+|all\s+)?(?:happy\s+|new\s+|recent\s+|past\s+)?"
    r"(?:customers?|clients?|guests?|buyers?|patients?|attendees?)\s+(?:to|for|if|whether)\b"
)
_OWNERS = r"co-?founder|partner|owners?|boss|my\s+(?:line\s+)?manager|board"
# The workspace's admins: "email the dump to the administrator", "cc the admins".
_ADMINS = r"\b(?:admins?|administrators?|sysadmins?)\b"
# Who is above the person asking: "email my boss", "send it to my manager".
_BOSS = r"my\s+(?:boss|line\s+manager|manager)|the\s+boss|the\s+board(?:\s+members)?"
# A report or file handed to our own people with no verb: "weekly timesheet csv to the project
# managers", "daily timesheet report to each manager for their own team".
_HANDED_TO = re.compile(
    r"\b(?:reports?|csvs?|pdfs?|digests?|summar(?:y|ies)|roll-?ups?|exports?|spreadsheets?|"
    r"timesheets?|breakdowns?|totals)\b[^.]{0,40}?\bto\s+(" + _BOSS + r"|" + STAFF + r")\b"
)


# "haven't opened an email", "who clicked our email", "if the email bounced": the word names
# what happened to a message, inside a condition; no verb there asks for a send.
_EMAIL_IN_CONDITION = (
    r"\b(?:opened|opens?|opening|clicked|clicks?|read|reads|received|receives?|got|gets|answered|"
    r"replied\s+to|unsubscribed\s+from|bounced|engaged\s+with|ignored)\s+"
    r"(?:an?|the|our|any|my|their|your|one|some|each|every|this|that|a\s+single|one\s+single)?\s*"
    r"(?:of\s+our\s+)?"
    r"(?:marketing\s+|newsletter\s+|campaign\s+)?(e-?mails?|newsletters?)\b|"
    r"\b(?:the|their|an?|our|that|this|whose|his|her)\s+(e-?mails?)\s+(?:bounced|bounces|was\s+opened|"
    r"is\s+opened|was\s+read|failed|went\s+unopened)\b|"
    # "when someone's email changes": the address on a record, not a message
    r"\b(?:their|his|her|its|whose|the|a|[\w-]+'s)\s+(e-?mail)(?:\s+address)?\s+(?:changes|changed|"
    r"is\s+(?:changed|updated|edited)|gets\s+(?:changed|updated))\b"
)


def without_conditions(t: str) -> str:
    """The request with emails named only inside a condition masked ("opened an mailout")."""

    def mask(found: re.Match[str]) -> str:
        group = next(g for g in range(1, 4) if found.group(g))
        word, start = found.group(group), found.start(group)
        offset = start - found.start()
        return found.group(0)[:offset] + "mailout" + found.group(0)[offset + len(word) :]

    return re.sub(_EMAIL_IN_CONDITION, mask, t)


# An email address as a field of a record, not a message sent: "check hubspot for their email",
# "post it with the customer email and decline reason", "send our users' emails to posthog",
# "name, email, phone". "Send it to their email" still sends one.
_EMAIL_FIELD = re.compile(
    r"(?<!\bto\s)(?<!\bat\s)(?<!\bvia\s)(?<!\bby\s)(?<!\bon\s)"
    r"\b(?:their|his|her|its|the\s+(?:customer|client|user|buyer|lead|contact|member|sender)(?:'s)?)"
    r"\s+e-?mail(?:\s+address)?\b(?!\s+(?:them|him|her|it)\b)"
)


def without_email_fields(text: str) -> str:
    """The request with email addresses named as a record's field blanked."""
    return _EMAIL_FIELD.sub(lambda m: " " * len(m.group(0)), text)


_SLACK_ANSWERS = r"\b(?:reply|replies|respond|responds|answer|answers)\b"


def _to_me_in(apps: str) -> re.Pattern[str]:
    """A chat message to the asker in one of `apps`: "send me a slack message", "remind me in
    slack", "as a slack dm", "slack dm me"."""
    return re.compile(
        r"\bsend\s+(?:me|us)\s+(?:a\s+|an\s+)?(?:" + apps + r")\s+(?:direct\s+)?"
        r"(?:message|msg|dm|ping|notification|alert|note)s?\b|"
        r"\b(?:remind|ping|tell|notify|message|alert|nudge)\s+me\s+(?:in|on|via|through|over)\s+"
        r"(?:" + apps + r")\b|"
        r"\b(?:as|in|via|by)\s+(?:a\s+)?slack\s+(?:dm|direct\s+message)s?\b|\bslack\s+dm\s+me\b"
    )


_CHAT_TO_ME = _to_me_in("slack|discord|telegram|teams|whatsapp")  # no email for it
_SLACK_TO_ME = _to_me_in("slack")  # a Slack DM to `@me`
# On a workflow Slack starts, "ping me" / "let me know" is a Slack DM too (no medium named).
_PING_ME = re.compile(
    r"\b(?:ping|tell|notify|message|alert|dm|nudge|msg)\s+me\b(?!\s+(?:by|via|on|in)\s+e-?mail)|"
    r"\blet\s+me\s+know\b(?!\s+(?:by|via|on|in)\s+e-?mail)"
)


# A mailing list or newsletter read, not mailed: "summarise the new threads on the bitcoin-dev
# mailing list archive", "the replies from the python mailing list", "newsletters in my inbox".
_READ_LISTS = re.compile(
    r"\b(?:threads?|posts?|replies|messages|issues|digests?|archives?)\s+(?:on|from|in|of)\s+"
    r"(?:the\s+|our\s+|their\s+|a\s+)?(?:[\w.-]+\s+){0,2}?(?:mailing\s+lists?|newsletters?)\b|"
    r"\b(?:mailing\s+lists?|newsletters?)\s+(?:archives?|threads?|feeds?|rss)\b|"
    r"\bnewsletters?\s+(?:in|that\s+(?:land|arrive|come)\s+in(?:to)?)\s+(?:my|our|the)\s+inbox\b"
)


def add_emails(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Email steps: bulk, external (the person, customers, a client), internal (member refs)."""
    t = without_email_fields(without_conditions(t))
    t = _CHAT_TO_ME.sub(" ", t)  # "send me a slack message": a Slack DM, no email
    if trigger.kind == "slack":
        t = _PING_ME.sub(" ", t)  # "… in #leads → ping me": a Slack DM (`add_slack`)
    listed = _READ_LISTS.sub(" ", t)  # "the threads on the bitcoin-dev mailing list": read
    bulk = (has(listed, BULK) or risk_cues.sends_in_bulk(t)) and has(
        t, r"\b(?:send|email|blast|mail)\b"
    )
    in_slack = has(t, r"\b(?:on|in|via|through|over)\s+slack\b")  # "remind people on slack"
    reminds = not slots.channels and not in_slack and has(t, _REMIND_INTERNAL)
    # In Slack, "reply with …" and "answer it" are said back in Slack (`add_slack`): no email
    # unless one is named
    words = t if trigger.kind != "slack" else re.sub(_SLACK_ANSWERS, " ", t)
    if (
        not bulk
        and not reminds
        and not has(words, _EMAIL_WORDS)
        and not (has(t, r"\bsend\s+me\b") and not slots.channels)
        and not (
            (_HANDED_TO.search(t) or re.search(r"\bsend\s+(?:" + _BOSS + "|" + STAFF + ")", t))
            and not slots.channels
            and not has(t, r"\bslack\b")
        )
    ):
        return
    body = _body(steps)
    t = without_inbound(mask_inbound(t) if trigger.kind == "email" else t, trigger)
    if bulk:
        steps.add(
            "send_bulk",
            "email.send_bulk",
            {"segment": "all", "subject": "News from us", "text": body},
        )
    elif wants_external(t, trigger):
        _external(steps, t, trigger, slots, body)
    elif not has(t, NO_SEND):
        addresses = named_destinations(t, trigger)
        if addresses:
            inputs = {"to": addresses[0] if len(addresses) == 1 else addresses}
            steps.add("email_address", "email.send", inputs | {"subject": "Update", "text": body})
    internal = [m.group(1) for m in re.finditer(_NOTIFY_ME_BY_EMAIL, t)] + [
        m.group(1)
        for m in re.finditer(_INTERNAL, t)
        if not m.group(0).startswith("cc") and not has(t[m.end() : m.end() + 4], r"^\s+at\b")
    ]
    internal += [m.group(1) for m in _TO_ME_AND.finditer(t)]  # "… chart to me, our cfo and …"
    if not slots.channels and not has(t, r"\bslack\b"):
        internal += [m.group(1) for m in _HANDED_TO.finditer(t)]
    for address in re.findall(r"\bme\s+at\s+([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", t):
        if any(s.get("inputs", {}).get("to") == address for s in steps.items):
            continue
        steps.add("email_address", "email.send", {"to": address, "subject": "Update", "text": body})
    if not slots.channels and not in_slack and not steps.first("email.send"):
        # "remind me/the team": by email
        internal += [m.group(1) for m in re.finditer(_REMIND_INTERNAL, t)]
    if internal or (has(t, r"\bemail\s+me\b|\bto\s+me\b[^.]{0,20}\bemail|\bsend\s+me\b")):
        refs = [
            "member:owners"
            if has(w, _OWNERS)
            else "member:admins"
            if has(w, _ADMINS)
            else "member:team"
            if has(w, _TEAM)
            else "member:me"
            for w in internal
        ] or ["member:me"]
        refs = list(
            dict.fromkeys(
                ["member:me", *refs] if "member:owners" in refs and has(t, r"\bme\s+and") else refs
            )
        )
        when = (
            "{{ steps.open_invoices.count > 0 }}"
            if has(t, r"\bescalate") and steps.first("stripe.list_invoices")
            else None
        )
        steps.add(
            "email_team",
            "email.send",
            {"to": refs, "subject": "Update from Levqor", "text": body},
            when=_bare(when),
        )
    if trigger.kind in ("schedule", "manual", "interval") and steps.first("email.send"):
        # A run started by the clock or by hand brings no person: "{{ trigger.email }}" is
        # nobody. When the request also names who gets it ("each person on the team"), only
        # that email stays.
        nobody = [
            s
            for s in steps.items
            if s.get("action") == "email.send" and s["inputs"].get("to") == "{{ trigger.email }}"
        ]
        if steps.first("stripe.list_invoices"):
            nobody = []  # each invoice's customer: `each.each_record` sends one email per invoice
        if nobody and len(nobody) < sum(s.get("action") == "email.send" for s in steps.items):
            steps.items[:] = [s for s in steps.items if s not in nobody]


def _external(steps: StepList, t: str, trigger: TriggerReading, slots: Slots, body: str) -> None:
    to, extra = _recipients(steps, t, trigger, slots)
    inputs: dict[str, Any] = {
        "to": to,
        "subject": "Re: {{ trigger.subject }}" if trigger.kind == "email" else "Hello from us",
        "text": body,
    }
    inputs.update(extra)
    if has(t, r"\bcc\s+me\b|\bcc\s+myself\b"):
        inputs["cc"] = ["member:me"]
    days = (
        slots.drip_days
        if has(
            t,
            r"\bday\s+\d|\bdays?\s+\d|\bafter\s+\d+\s+days|\bwait\s+\d|"
            r"\b(?:\d+|a|one|two|three|four)\s+(?:days?|weeks?)\s+(?:later|after)\b",
        )
        else []
    )
    if trigger.kind == "schedule" or not days:
        steps.add("email_contact", "email.send", inputs)
        return
    if has(t, r"\bwelcome|\bright\s+away|\bimmediately|\bstraight\s+away|\bthank"):
        steps.add("email_contact", "email.send", dict(inputs))
    previous = 0
    for day in days:
        steps.wait(day - previous)
        previous = day
        # one email after a wait is titled for what it is for (compose_messages writes it)
        follow = dict(inputs, subject=f"Day {day}" if len(days) > 1 else "")
        steps.add(f"email_day_{day}", "email.send", follow, when=_stop_condition(t))


def _recipients(
    steps: StepList, t: str, trigger: TriggerReading, slots: Slots
) -> tuple[Any, dict[str, Any]]:
    if trigger.kind == "email":
        named = named_destinations(t, trigger)
        if named and has(t, r"\bforward"):
            return (named[0] if len(named) == 1 else named), {}
        return "{{ trigger.from }}", {"in_reply_to": "{{ trigger.message_id }}"}
    if steps.first("stripe.list_invoices") and trigger.kind in ("schedule", "manual", "interval"):
        # each invoice's customer, one email each (`each.each_record` loops it over the list)
        return "{{ trigger.email }}", {}
    if steps.first("stripe.list_invoices") and trigger.kind != "stripe":
        return "{{ steps.open_invoices.invoices | map(attribute='customer_email') | list }}", {}
    client = re.search(
        r"\bclient\s*\(([^)]{2,40})\)|"
        r"\bclient\s+(?!(?:a|an|the|their|his|her|our|my|your|about|with|every|each|to|and|or|"
        r"that|who|whose|if|when|on|in)\b)([a-z][\w&' ]{1,30}?)(?=\s+(?:a|the|with|about|every)\b)",
        t,
    )
    if client and trigger.kind in ("schedule", "manual"):
        name = (client.group(1) or client.group(2)).strip()
        steps.add("find_client", "crm.find_contacts", {"query": name, "limit": 1})
        return "{{ steps.find_client.contacts[0].email }}", {}
    outside = [a for a in slots.addresses if not a.endswith(("@levqor.local",))]
    if outside and trigger.kind not in ("slack",):
        return outside[0], {}
    if trigger.kind == "slack":
        return "{{ trigger.text }}", {}
    return "{{ trigger.email }}", {}


def cleans_slack(t: str) -> bool:
    """'delete the slack messages older than a week': Slack is where it deletes, not a post."""
    return has(
        t, r"\b(?:delete|remove|purge|clear|clean\s+up)\w*\s+(?:the\s+|all\s+|old\s+)*slack\b"
    )


def _watched_channels(t: str, trigger: TriggerReading, slots: Slots) -> set[str]:
    """The channels a Slack trigger reads ("#ch0", with those listed beside it: "watch #dev and
    #random"), when the request posts somewhere else and names each of them only once."""
    if trigger.kind != "slack" or not trigger.spec.get("channel"):
        return set()
    first = next(
        (f"#ch{i}" for i, c in enumerate(slots.channels) if f"#{c}" == trigger.spec["channel"]),
        None,
    )
    if first is None or t.count(first) != 1:
        return set()
    listed = re.search(re.escape(first) + r"(?:\s*(?:,|and|or|&|/)\s*#ch\d+)*", t)
    watched = set(re.findall(r"#ch\d+", listed.group(0) if listed else first))
    watched = {c for c in watched if t.count(c) == 1}
    others = [f"#ch{i}" for i in range(len(slots.channels)) if f"#ch{i}" not in watched]
    tells_elsewhere = (
        others
        or has(t, r"\b(?:dm|message|ping|tell|notify)\s+(?:@|me\b)|\be-?mail")
        or _PING_ME.search(t)
    )
    # "reacts 🔥 to a msg in #leads → …": where the emoji is put, never a post of its own
    return watched if tells_elsewhere or trigger.spec.get("reaction") else set()


def add_slack(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """One Slack post per channel named (conditional when its clause names a label or tier)."""
    body = _body(steps)
    removed_from = " ".join(m.group(0) for m in re.finditer(REMOVES_MEMBERSHIP, t))
    watched = _watched_channels(t, trigger, slots)
    for index, channel in enumerate(slots.channels):
        if f"#ch{index}" in removed_from and t.count(f"#ch{index}") == 1:
            continue  # "remove them from the #vip channel": no post there
        if f"#ch{index}" in watched:
            continue  # "watch #dev and #random … ping #security": #dev is read, not posted to
        when = _channel_condition(t, f"#ch{index}", steps)
        steps.add(
            f"post_{_slug(channel)}",
            "slack.post_message",
            {"channel": f"#{channel}", "text": body},
            when=when,
        )
    for handle in re.findall(r"\b(?:dm|message|ping|tell|notify)\s+@([a-z][\w.-]*)", t):
        steps.add(
            f"dm_{_slug(handle)}", "slack.post_message", {"channel": f"@{handle}", "text": body}
        )
    if trigger.kind == "slack" and _PING_ME.search(t) and not steps.first("slack.post_message"):
        steps.add("dm_me", "slack.post_message", {"channel": "@me", "text": body})
    # "remove them from the vip slack channel" posts nothing there (records.add_removal removes)
    posts = has(t, r"\b(?:post|tell|notify|ping|message|alert)\b")
    if removes_from(t) and has(t, r"\bslack\b") and not posts:
        return
    if (
        not slots.channels
        and has(t, r"\bslack\b")
        and trigger.kind != "slack"
        and not cleans_slack(t)
    ):
        person = re.search(
            r"\b(?:ping|tell|notify|message|dm)\s+([a-z]+)\s+(?:on|in|via)\s+slack", t
        )
        channel = (
            f"@{person.group(1)}" if person else "@me" if _SLACK_TO_ME.search(t) else "#general"
        )
        steps.add("post_slack", "slack.post_message", {"channel": channel, "text": body})


# What a Slack command or mention asks back: "reply with today's forecast", "post a summary of
# yesterday's PRs", "answer in the thread", "show me the open tickets".
_ANSWER_BACK = (
    r"\b(?:reply|replies|respond|responds|answer|answers|post|posts|show|shows|list|lists|give|"
    r"gives|return|returns|send\s+back|tell\s+(?:them|me|us|the\s+person))\b"
)


def answer_in_slack(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """A slash command or @mention that asks for something back: the answer goes where it was
    asked (the channel it came from; for a mention, its thread), not to a channel nobody named.
    Called once every other step is drafted (the answer is the last one's output)."""
    if trigger.kind != "slack" or slots.channels or steps.first("slack.post_message"):
        return
    if not steps.items or not has(without_start(t), _ANSWER_BACK):
        return  # nothing read or written to answer with: the request is asked about instead
    inputs: dict[str, Any] = {"channel": "{{ trigger.channel }}", "text": _body(steps)}
    if not trigger.spec.get("command"):  # a message has a thread; a slash command has none
        inputs["thread_ts"] = "{{ trigger.thread_ts or trigger.ts }}"
    steps.add("reply", "slack.post_message", inputs)


def _channel_condition(t: str, channel: str, steps: StepList) -> str | None:
    at = t.find(channel)
    clause = re.split(r"[.;!?,]|\bthen\b|->", t[:at])[-1]
    if steps.first("ai.categorize"):
        label = re.search(
            r"\b(urgent|negative|positive|hot|billing|cancel\w*|spam|sales|support)\b", clause
        )
        if label:
            return f"steps.classify.label == '{label.group(1)}'"
        if has(clause, r"\beverything\s+else|\bother"):
            return None
    if steps.first("stripe.list_invoices"):
        days = re.search(r"\b(\d{1,3})\s+days?\b", clause)
        if days:
            return (
                "steps.open_invoices.invoices | selectattr('days_overdue', 'ge', "
                f"{int(days.group(1))}) | list | length > 0"
            )
    return None


def _stop_condition(t: str) -> str | None:
    if has(t, r"\bstop\b[^.]{0,30}\bcancel|\bunless\b[^.]{0,30}\bcancel"):
        return "not (trigger.cancelled | default(false))"
    return None


def _body(steps: StepList) -> str:
    sources = (
        ("ai.summarize", "summary"),
        ("report.build", "text"),
        ("ai.draft_reply", "reply"),
        ("stripe.summarize_payments", "text"),
    )
    for action, field in sources:
        step_id = steps.first(action)
        if step_id:
            return "{{ steps." + step_id + "." + field + " }}"
    return "{{ trigger | summary }}"


def _bare(when: str | None) -> str | None:
    return when.strip("{} ").strip() if when else None


def _slug(channel: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", channel.lower()).strip("_")[:40] or "channel"


# "tell me when …", "let us know if …", "alert me": the person asking is told, and no channel,
# address or app is named for it.
_TELL_THE_ASKER = (
    r"\b(?:tell|notify|alert|ping|warn|inform|update)\s+(?:me|us)\b|"
    r"\blet\s+(?:me|us)\s+know\b|\bgive\s+(?:me|us)\s+a\s+(?:heads[\s-]?up|shout|nudge)\b"
)
# "let the sales team know when …", "tell the team when …": the workspace's members are told
_TELL_THE_TEAM = (
    r"\b(?:tell|notify|alert|ping|warn|inform|update)\s+(?:the|our|my)\s+(?:[\w-]+\s+)?"
    r"(?:team|staff|crew)\b|\blet\s+(?:the|our|my)\s+(?:[\w-]+\s+)?(?:team|staff|crew)\s+know\b"
)
# "when something important happens in stripe": what to tell is still to be asked about
_UNSAID_EVENT = (
    r"\b(?:something|anything|stuff|wherever|whatever|important|relevant|interesting|"
    r"notable|significant)\b"
)
_UNSAID_MESSAGE = (
    r"\bwhat\s+(?:they|we|he|she|you)\s+(?:need\s+to|have\s+to|should|must|ought\s+to)\s+do\b|"
    r"\bwhat\s+to\s+do\b|\b(?:the\s+)?next\s+steps\b"
)
_TELLING = ("slack.post_message", "email.send", "email.send_bulk")
_MEDIUM = (
    r"\bslack\b|#[\w-]+|\bteams\b|\bdiscord\b|\btelegram\b|\bwhats\s*app\b|\bsms\b|\btexts?\b|"
    r"\bsignal\b|\bpush\s+notifications?\b|\bcall\s+me\b|\bphone\b|@[\w-]+\.|\bwebhook\b"
)


def tell_the_asker(raw: dict[str, Any], text: str) -> None:
    """A request that asks to be told ("tell me when a new order comes in from shopify") with no
    drafted step that tells anyone: an email to the person asking (the card says so, and the
    channel is theirs to change). Runs started by hand show their result and are left alone."""
    team = has(text, _TELL_THE_TEAM) and not has(text, _TELL_THE_ASKER)
    if raw["trigger"].get("type") == "manual" or not (team or has(text, _TELL_THE_ASKER)):
        return
    if has(text, _MEDIUM) or has(text, NO_SEND):
        return  # a medium the steps route, or nothing to send
    if has(text, _UNSAID_EVENT) and not raw["trigger"].get("pages"):
        return  # no event said ("when something important happens"): it is asked about
    if has(text, _UNSAID_MESSAGE):
        return  # "let the team know what they need to do": what to say is asked about
    steps: list[dict[str, Any]] = raw["steps"]
    if any(
        s.get("action") in _TELLING
        or (
            s.get("action") == "http.request"
            and str((s.get("inputs") or {}).get("method") or "GET").upper() != "GET"
        )
        for s in steps
    ):
        return
    taken = {str(s.get("id")) for s in steps}
    name = "tell_team" if team else "tell_me"
    step_id = name if name not in taken else f"{name}_2"
    body = "{{ trigger | summary }}"
    to = ["member:team"] if team else ["member:me"]
    inputs = {"to": to, "subject": "Update from Levqor", "text": body}
    steps.append({"id": step_id, "action": "email.send", "inputs": inputs})
