"""Which catalogue actions a request needs: reads, AI, and writes to systems of record."""

from __future__ import annotations

import re

from agents.planner import tools
from agents.planner.ai_steps import add_ai
from agents.planner.intents import (
    CRM_NAMES,
    INVOICING_TOOLS,
    SOCIAL,
    TriggerReading,
    mask_inbound,
    poll_url,
    reads_social,
    without_event_clause,
    without_start,
)
from agents.planner.notify import add_emails, add_slack
from agents.planner.recipes_monitor import NOT_A_CHECK, site_address
from agents.planner.records import crm_writes, sheet_name, sheet_writes, tab_of
from agents.planner.schedule import find_schedule
from agents.planner.selected_records import selected_records
from agents.planner.slots import Slots
from agents.planner.steps import KEPT_BY, StepList, writes_over_http
from agents.planner.text import has, posted_to_masked, strip_quoted
from agents.planner.when.lexicon import COUNT_WORDS

__all__ = ["add_ai", "add_emails", "add_reads", "add_slack", "add_writes", "cover_named_tools"]

_API_HOST = "https://api.example.com"
_REPORT = (
    r"\b(?:report|reports|numbers|figures|stats|statistics|kpis?|recap|breakdown|"
    r"dashboard(?!\s+(?:password|login|access|credentials?))|"
    r"revenue|sales\s+summary|how\s+many|totals?|averages?|active\s+users)\b|"
    r"\b(?:orders|refunds|failed\s+payments)\b[^.]{0,40}\bfrom\s+stripe|"
    r"\bstripe\s+(?:orders|refunds|failed\s+payments|payouts|charges|sales)\b"
)
# "the API reports errors" uses the verb; a report is asked for with the noun.
# "remind the team to get their weekly reports in": people hand in reports, none is built
HANDED_IN_REPORTS = (
    r"\b(?:get|send|hand|turn|submit|file|fill\s+(?:in|out)|finish|write|complete|do|upload)\w*\s+"
    r"(?:in\s+)?(?:their|your|his|her)\s+(?:\w+\s+)?reports?\b(?:\s+in\b)?"
)
_REPORTS_VERB = (
    r"\b(?:api|page|endpoint|site|it|that|which|system|tool|monitor|server|app)\s+reports\b|"
    # "the address to report to", "who they report to", "report for duty": the verb
    r"\b(?:to|they|you|we|i|should|must|will|where\s+to)\s+report\s+(?:to|for|at|in|back)\b|"
    + HANDED_IN_REPORTS
)
_LOOKUP = (
    r"\b(?:look(?:s|ing)?\s*up|fetch\w*|pull(?:s|ing)?|get|check(?:s|ing)?|grab\w*|"
    r"find(?:s|ing)?|read(?:s|ing)?|quer(?:y|ies))\b|"
    r"\b(?:link|status|details|info|data|number|record|price|stock|tracking)s?\s+(?:from|in)\b"
)


def wants_report(t: str, slots: Slots, trigger: str) -> bool:
    """Whether the request asks for a built report (figures, a recap, a non-AI summary)."""
    t = re.sub(_REPORTS_VERB, " ", t)
    if has(t, r"\breports?\b"):
        return True
    if trigger not in ("schedule", "manual") or has(t, r"/metrics|metrics\s+endpoint"):
        return False
    if trigger == "schedule" and has(t, _PERIODIC_FILE) and not has(t, r"\binvoic"):
        return True  # "a weekly timesheet csv", "one pdf w last month's hours"
    return has(t, _REPORT) or (
        not slots.uses_ai and has(t, r"\bsummary\b|\bdigest\b") and not has(t, SOCIAL)
    )


# Figures sent on a clock as a file or a tally: "weekly csv of …", "last month's hours",
# "the traffic for the pricing pages".
_PERIODIC_FILE = (
    r"\b(?:roll-?ups?|page\s*views|pageviews|traffic)\b|"
    r"\b(?:hours|time)\s+(?:worked|logged|tracked|spent)\b|\b(?:worked|logged|tracked|billable)\s+hours\b|"
    r"\b(?:total|week'?s|month'?s|day'?s|user'?s|person'?s|each\s+\w+'s)\s+(?:total\s+)?hours\b"
)


_DEALS = r"\bdeals?\b|\bwon\b|\bclosed\s+(?:sales?|business)|\bsales\s+closed|\bpipeline\b"
_LEADS = r"\bleads?\b|\bsign[- ]?ups?\b|\bnew\s+contacts?\b|\bcontacts?\s+added|\benquir"
_RUNS = r"\bruns?\b|\bfail(?:ed|ures?)\b|\bworkflows?\b|\bautomations?\b|\berrors?\b"


_NEW_DEALS = (
    r"\bnew\s+(?:\w+\s+)?(?:deals?|opportunit\w+)\b|\b(?:deals?|opportunit\w+)\s+(?:created|opened|"
    r"added|(?:that\s+)?came\s+in)\b"
)


def report_sections(t: str) -> list[str] | None:
    """What a report covers when the request names it ('deals closed', 'new leads'); None: all."""
    if has(t, _NEW_DEALS) and not has(t, r"\bclosed|\bwon\b"):
        return ["new_deals"]  # "new hubspot deals": the deals opened, not those closed
    named = [
        name
        for name, pattern in (("runs", _RUNS), ("contacts", _LEADS), ("deals", _DEALS))
        if has(t, pattern)
    ]
    if not named or named == ["runs"]:
        return None if not has(t, _DEALS) else ["runs", "contacts", "deals"]
    return named


def period(t: str) -> str:
    """The reporting period a request implies, as a duration."""
    if has(t, r"\byesterday|\bdaily\b|\bevery\s*day|\bweekdays?\b|\blast\s+24"):
        return "1 day"
    if has(t, r"\bmonth|\b1st\s+and\s+15th"):
        return "30 days" if not has(t, r"\b15th\b") else "15 days"
    if has(
        t,
        r"\bevery\s+(?:other|2(?:nd)?|second)\s+(?:week|mon|tue|wed|thu|fri|sat|sun)|"
        r"\bfortnight|\bbi-?weekly\b|\btwo\s+weeks\b",
    ):
        return "14 days"
    if has(t, r"\btoday'?s?\b|\btonight\b|\bnightly\b"):
        return "1 day"
    schedule = find_schedule(t)
    if schedule is not None and (schedule.dom, schedule.month, schedule.dow) == ("*", "*", "*"):
        return "1 day"  # "at 5pm send me a summary of new leads": every day, so the day's
    return "7 days"


# A feed or a site whose posts are read: without one, a Slack "mention" is the bot's @mention.
FEED_NAMED = (
    r"\brss\b|\bfeeds?\b|\bblogs?\b|\bnews\b|\breddit\b|\bhacker\s*news\b|\btwitter\b|"
    r"\blinkedin\b|\breviews?\b|\bmastodon\b|\bbluesky\b|\bpodcasts?\b|https?://"
)


def add_reads(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Steps that fetch data: feeds, APIs (GET), Stripe, CRM and sheet reads."""
    slack_mention = trigger.kind == "slack" and not has(t, FEED_NAMED)  # "@mentions the bot"
    acts = t if trigger.kind in ("schedule", "manual", "poll", "interval") else without_start(t)
    if reads_social(posted_to_masked(acts)) and "rss" in slots.tools and not slack_mention:
        url = trigger.spec.get("url") or poll_url(t, slots.quoted)
        steps.add("new_items", "rss.new_items", {"url": url, "keywords": slots.quoted[:5]})
    _tool_reads(steps, t, trigger)
    shopify_event = trigger.kind == "webhook" and trigger.spec.get("source") == "Shopify"
    if has(t, r"\bshopify\b[^.]{0,20}\b(?:tracking|status|lookup)|tracking\s+link") or (
        has(t, r"\bfrom\s+shopify") and not shopify_event  # Shopify's event carries the order
    ):
        steps.add(
            "lookup_order",
            "http.request",
            {"method": "GET", "url": "https://shop.example.com/admin/api/orders.json"},
        )
    inhouse = has(t, r"\b(?:in-house|homemade|our\s+own)\b")
    if inhouse and has(t, r"\bsync|\bboth|\btwo[- ]way") and trigger.kind != "webhook":
        read = {"method": "GET", "url": _API_HOST + "/contacts"}
        steps.add("read_inhouse", "http.request", read)
    checks = re.sub(NOT_A_CHECK, " ", t)  # "their uptime report": figures, not a check
    if has(
        t,
        r"\buptime\s+(?:reports?|stats|statistics|numbers|figures|summar(?:y|ies)|"
        r"percentages?|dashboards?)\b",
    ) and not steps.first("http.request"):
        # the figures come from the monitoring tool, whose address the person fills in
        monitor = {"method": "GET", "url": tools.stand_in_api("monitoring", "/uptime")}
        steps.add("read_uptime", "http.request", monitor)
    if trigger.kind == "interval" or has(
        checks, r"\buptime\b|\b(?:site|website)\s+(?:goes|is)\s+down"
    ):
        url = site_address(t) or "https://www.example.com"
        steps.add("check_site", "http.request", {"method": "GET", "url": url})
    if "stripe" in slots.tools:
        _stripe_reads(steps, t, trigger)
    if "crm" in slots.tools and has(
        t,
        r"\bfrom\s+(?:our\s+|the\s+)?"
        + CRM_NAMES
        + r"|\bby\s+source|\bmatch\b|\bsync|\btwo[- ]way|"
        r"\bboth\s+ways|\bleads\s+we\b|\bclosed-?won\s+revenue",
    ):
        steps.add("find_contacts", "crm.find_contacts", {"created_within": period(t), "limit": 100})
    if "sheets" in slots.tools and (
        trigger.kind == "poll"
        or has(
            t,
            r"\bfrom\b[^.]{0,30}\bsheet|\bin\s+(?:our|the)\s+(?:\w+\s+)?(?:google\s+)?sheet|"
            r"\btab\b|\bdrops?\b|\bbelow\b|\bsync|\btwo[- ]way|\bboth\s+ways|\bsheet\s+edits",
        )
    ):
        steps.add(
            "read_rows", "sheets.read_rows", {"spreadsheet": sheet_name(t), "sheet": tab_of(t)}
        )
    if not slots.tools & {"sheets", "crm"}:  # records kept in a sheet or the CRM are read there
        _kept_elsewhere_reads(steps, t, trigger)


# Records a scheduled list or reminder is about that live in a system Levqor has no integration
# for ("post the open PRs that need review", "who is on vacation today", "certs about to expire"):
# the workflow must read them from that system's API, or its message would have nothing in it.
_KEPT_ELSEWHERE = (
    (r"\bprs?\b|\bpull\s+requests?\b|\breview\s+requests?\b|\bcommits?\b", "pull-requests"),
    (r"\b(?:ssl\s+)?cert(?:ificate)?s?\b", "certificates"),
    (r"\btime\s*(?:cards?|sheets?)\b|\bhours\s+logged\b|\blogged\s+under\b|"
     r"\b(?:log|logs|logged|track|tracked|book|booked)\s+(?:their\s+|his\s+|her\s+|any\s+|enough\s+)?"
     r"(?:hours|time)\b|\bclock(?:s|ed)?\s+(?:in|out)\b", "timesheets"),
    (r"\bshifts?\b|\brota\b|\bschedules?\s+for\s+the\s+week\b", "shifts"),
    (r"\bleave\s+requests?\b|\bvacation\b|\bholidays?\b|\bout\s+of\s+office\b|"
     r"\bworking\s+remotely\b|\btime\s+off\b", "time-off"),
    (r"\bbirthdays?\b|\banniversar(?:y|ies)\b", "people"),
    (r"\bbackups?\b", "backups"),
    (r"\b(?:passwords?|accounts?|licen[cs]es?|domains?)\b[^.]{0,20}\bexpir\w*", "accounts"),
    (r"\bstock\s+(?:levels?|warning|(?:on|of|for)\s+(?:any|each|every|a|the|our)\b)|"
     r"\bre-?order\s+level|\binventory\b", "inventory"),
    (r"\btask\s+changes\b|\bchanged\s+tasks\b|\bopen\s+tasks\b|\boverdue\s+tasks\b", "tasks"),
    (r"\btarget\s+goal\b|\bkpis?\b|\bdashboard\s+figures\b", "metrics"),
)  # fmt: skip
# The message lists some of them ("which", "any … that", "the open …", "a summary"); a reminder
# to everyone ("remind #team to submit their timesheets") reads nothing.
_SELECTS = (
    r"\b(?:which|list|listing|any|all\s+(?:the\s+)?(?:open|pending)|open|pending|summary|sum-?up|"
    r"whether|how\s+many|total|that\s+(?:need|are|is|have|has)|expir\w*|who\s+is)\b|"
    # the people it picks out: "who hasn't submitted", "anyone who logged under 8 hours"
    r"\bwho\s+(?:has|have|had|did|does|do)(?:n'?t|\s+not)\b|"
    r"\b(?:anyone|everyone|anybody|employees|people|staff|users|members)\s+(?:[\w-]+\s+){0,3}?who\b|"
    r"\bwhoever\b"
)
_KEPT_WORDS = {"pull-requests": "pull requests", "time-off": "time off", "people": "birthdays"}
_READ_ACTIONS = ("sheets.read_rows", "crm.find_contacts", "rss.new_items", "report.build")


# Figures of a business Levqor holds no records of: a shop's orders, an app's active users,
# referrals, visitors. Counted where they are kept ("store stats", "from our
# analytics"), unless Stripe, the CRM or a sheet is where the request says they are.
_FIGURES_ELSEWHERE = (  # not sales, signups or leads: Levqor's own report counts those
    r"\b(?:orders?|active\s+users|visitors?|visits|traffic|page\s*views|referrals?|downloads?|"
    r"installs?|store\s+stats|shop\s+stats|posts?\s+count|spend|per\s+product|per\s+item|"
    r"each\s+product|products?\s+sold)\b"
)
_KEPT_SOURCE = (
    r"\bfrom\s+(?:our|the|my)\s+(?:[\w-]+\s+){0,2}?(?:analytics|app|api|store|shop|system|db|"
    r"database|backend|platform|portal|site)\b"
)


def figure_reads(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """A GET of the figures a report counts, when they are kept in a system with no integration."""
    if trigger.kind not in ("schedule", "manual") or not steps.first("report.build"):
        return
    if any(
        s.get("action") in ("sheets.read_rows", "crm.find_contacts", "rss.new_items")
        or str(s.get("action", "")).startswith("stripe.")
        or (s.get("action") == "http.request" and s["inputs"].get("method") == "GET")
        for s in steps.items
    ):
        return
    if has(t, r"\bsheet|\bspreadsheet|\bcrm\b|\bstripe\b|\bhubspot|\bpipedrive|\bsalesforce"):
        return
    if not (has(t, _FIGURES_ELSEWHERE) or has(t, _KEPT_SOURCE)):
        return
    steps.add(
        "fetch_figures",
        "http.request",
        {"method": "GET", "url": f"{_API_HOST}/figures"},
        name=f"Read the figures {KEPT_BY}",
    )
    steps.items.insert(0, steps.items.pop())  # a read goes before what it feeds


def _kept_elsewhere_reads(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """A GET of the records a scheduled list or reminder is about, when nothing reads them."""
    if trigger.kind not in ("schedule", "manual", "poll"):
        return
    if any(
        s.get("action") in _READ_ACTIONS
        or str(s.get("action", "")).startswith("stripe.")
        or s.get("action") == "http.request"
        for s in steps.items
    ):
        return
    if has(t, r"\bsheet|\bspreadsheet|\bcrm\b|\bstripe\b|\bairtable|\bnotion"):
        return  # they live somewhere the other reads know
    dated = has(t, r"\bbirthdays?\b|\banniversar(?:y|ies)\b")  # whose day it is: looked up
    picked = selected_records(t)  # "tasks due today", "orders that haven't shipped"
    if not has(t, _SELECTS) and not dated and picked is None:
        return  # "remind #team to submit their timesheets" reads nothing
    path = next((p for pattern, p in _KEPT_ELSEWHERE if has(t, pattern)), picked)
    if path is not None:
        words = _KEPT_WORDS.get(path, path.replace("-", " "))
        steps.add(
            "fetch_" + path.replace("-", "_"),
            "http.request",
            {"method": "GET", "url": f"{_API_HOST}/{path}"},
            name=f"Read the {words} {KEPT_BY}",
        )


def _tool_reads(steps: StepList, t: str, trigger: TriggerReading) -> None:
    """GETs from integration-less tools the request reads (an event source needs no step)."""
    scheduled = trigger.kind in ("schedule", "manual", "interval")
    rest = strip_quoted(t if scheduled else without_event_clause(mask_inbound(t)))
    writes = tools.external_writes(rest)
    for tool in tools.named_external_tools(rest):
        name = re.escape(tool).replace(r"\ ", r"\s+")
        if tool in writes and not has(rest, r"\bsync\w*|\btwo[- ]way|\bboth\s+ways|\bmirror"):
            continue
        if scheduled or has(rest, r"(?:" + _LOOKUP + r")[^.]{0,40}\b" + name + r"\b"):
            steps.add(
                "fetch_" + re.sub(r"\W+", "_", tool), "http.request", tools.get_inputs(t, tool)
            )
    has_get = any(
        s.get("action") == "http.request" and s["inputs"].get("method") == "GET"
        for s in steps.items
    )
    if tools.api_reads(t) and not has_get:
        steps.add("fetch", "http.request", tools.get_inputs(t))
    elif (
        tools.web_reads(rest)
        and not has_get
        and trigger.kind != "interval"
        and not steps.first("rss.new_items")  # reviews and mentions are read as feeds
    ):
        steps.add("read_page", "http.request", tools.web_read_inputs(t, site_address(t)))


# "3 days before the invoice is due", "a week before their due date", "due in 5 days", "and
# again on the due date": how many days ahead of the due date a reminder goes.
_AHEAD = re.compile(
    r"\b(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|ten|fourteen|the)\s+"
    r"(?P<unit>days?|weeks?)\s+(?:before|ahead\s+of|prior\s+to)\b(?P<due>(?=[^.;]{0,60}\bdue\b))?|"
    r"\bdue\s+in\s+(?P<n2>\d{1,3}|one|two|three|five|seven|ten)\s+(?P<unit2>days?|weeks?)\b|"
    r"\b(?P<day>on)\s+(?:the|their|its)\s+due\s+date\b"
)


def _days_before_due(t: str) -> list[int]:
    """The days ahead of an invoice's due date a request sends its reminders (none when it
    names no lead: "remind customers of overdue invoices")."""
    days: list[int] = []
    found_all = list(_AHEAD.finditer(t))
    if not any(f.group("due") is not None or f.group("n2") or f.group("day") for f in found_all):
        return []  # "2 days before their appointment": not a due date
    for found in found_all:
        if found.group("day"):
            days.append(0)
            continue
        word = found.group("n") or found.group("n2")
        unit = found.group("unit") or found.group("unit2")
        count = 1 if word == "the" else COUNT_WORDS.get(word) or int(word)
        days.append(count * (7 if unit.startswith("week") else 1))
    return sorted(set(days), reverse=True) if any(days) else []


def _stripe_reads(steps: StepList, t: str, trigger: TriggerReading) -> None:
    if (
        trigger.kind != "stripe"
        and (trigger.kind != "email" or has(t, r"\bstripe\b"))
        and has(t, r"\binvoices?\b")
        and not has(t, r"\bcreate\s+an?\s+invoice")
        and (has(t, r"\bstripe\b") or not has(t, INVOICING_TOOLS))
    ):
        overdue = [
            int(n)
            for n in re.findall(
                r"(\d{1,3})\+?\s*days?\s+(?:overdue|past\s+due|late|after\s+due)", t
            )
        ]
        overdue += [int(n) for n in re.findall(r"older\s+than\s+(\d{1,3})\s+days", t)]
        inputs: dict[str, object] = {"status": "open"}
        ahead = _days_before_due(t)
        if overdue:
            inputs["overdue_days"] = min(overdue)
        elif ahead:
            inputs["due_in_days"] = ahead  # "3 days before the invoice is due": those only
        elif has(t, r"\boverdue|\bpast\s+due|\bunpaid|\blate\b"):
            inputs["overdue_days"] = 1
        steps.add("open_invoices", "stripe.list_invoices", inputs)
    if (
        has(t, r"\bstripe\b")
        and has(t, r"\b(?:sales|revenue|orders|refunds|payments|mrr|takings)\b")
        and trigger.kind in ("schedule", "manual")
    ):
        steps.add("payments", "stripe.summarize_payments", {"period": period(t)})
    if has(t, r"\bstripe\s+customers?|\bcustomer\s+(?:name|details)") and has(t, r"\bstripe\b"):
        customer = (
            "{{ trigger.customer }}" if trigger.kind == "stripe" else "{{ trigger.customer_id }}"
        )
        steps.add("customer", "stripe.get_customer", {"customer_id": customer})


def _subscription_of(trigger: TriggerReading) -> str:
    """The subscription a run is about: a Stripe subscription event's object, an invoice's
    subscription, or the one the starting app sends."""
    if trigger.kind != "stripe":
        return "{{ trigger.subscription_id }}"
    events = trigger.spec.get("events") or []
    if any(str(e).startswith("customer.subscription.") for e in events):
        return "{{ trigger.data.object.id }}"
    return "{{ trigger.data.object.subscription }}"


def add_writes(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Writes to systems of record: CRM, sheets, Stripe, outbound HTTP."""
    w = t if trigger.kind in ("schedule", "manual") else without_start(t)
    if "crm" in slots.tools or has(w, r"\bcontacts?\b|\bcustomers?\b"):
        crm_writes(steps, w, slots)
    if "sheets" in slots.tools:
        sheet_writes(steps, w)
    plan = re.search(
        r"\b(?:move|switch|change|upgrade|downgrade|migrate|put|cancel)\b[^.]{0,60}\b(?:subscriptions?|plans?)\b",
        w,
    )
    # "after the 3rd failed payment on a membership cancel it in stripe": a membership (or "it")
    # cancelled in Stripe is its subscription cancelled
    cancel = re.search(
        r"\bcancel\w*\s+(?:it|them|(?:the|their|his|her|that)\s+(?:\w+\s+)?memberships?|"
        r"memberships?)\s+(?:in|on|through|via)\s+stripe\b",
        w,
    )
    if cancel and not plan:
        plan = cancel
    elif plan and not has(w, r"\bsubscriptions?\b|\bplan\b"):
        plan = None
    if plan and plan.group(0).startswith("cancel"):
        later = has(
            w,
            r"\b(?:at|by)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+|their\s+|its\s+)?"
            r"(?:billing\s+|paid\s+)?(?:period|cycle|month|term)|period\s+end)\b",
        )
        inputs: dict[str, object] = {"subscription_id": _subscription_of(trigger)}
        if later:
            inputs["at_period_end"] = True
        steps.add("cancel_subscription", "stripe.cancel_subscription", inputs)
    elif plan:
        plan_name = re.search(r"\bto\s+(?:the\s+)?([a-z0-9-]+)\s+plan\b|\b(cancel)", w)
        target = "all" if has(w, r"\b(?:every|all|everyone)\b") else "{{ trigger.subscription_id }}"
        steps.add(
            "change_plan",
            "stripe.update_subscription",
            {
                "subscription_id": target,
                "price": (plan_name.group(1) or plan_name.group(2)) if plan_name else "new-plan",
            },
        )
    if has(
        w,
        r"\bonto\s+the\s+stripe\s+customer|\bupdate\s+(?:the\s+)?stripe\s+customer|\bstripe\s+metadata",
    ):
        steps.add(
            "update_customer",
            "stripe.update_customer",
            {"customer_id": "{{ trigger.customer_id }}", "metadata": {}},
        )
    _http_writes(steps, t, w, steps.first("ai.draft_reply"))
    _ticket_writes(steps, t, w)


# Work on a helpdesk's tickets: made from mail, or a field of one set ("turn every email into a
# ticket", "bump it to high priority and move it to the escalation group", "tag the case").
_TICKETS = r"\b(?:tickets?|cases?|help\s*desk|support\s+(?:queue|inbox|tool|system))\b"
_TICKET_MADE = (
    r"\b(?:turn|turns|convert|converts|make|makes)\b[^.;]{0,50}?\binto\s+(?:a\s+|an\s+|new\s+)?"
    r"(?:support\s+|helpdesk\s+)?(?:tickets?|cases?)\b|"
    r"\b(?:become|becomes)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:support\s+|helpdesk\s+)?(?:tickets?|cases?)\b"
)
# "raise a support ticket from that message": one ticket made, in the helpdesk whether or not
# it is named. "turn emails into tickets" alone leaves the ticket system open: it must be said.
_TICKET_RAISED = (
    r"\b(?:create|creates|raise|raises|log|logs|file|files|open|opens)\s+(?:a|an|new)\s+"
    r"(?:support\s+|helpdesk\s+)?(?:tickets?|cases?)\b"
)
_TICKET_PLACE = (
    r"\b(?:in|into|on|to)\s+(?:our\s+|the\s+|my\s+)?(?:help\s*desk|ticket(?:ing)?\s+(?:system|tool)|"
    r"support\s+(?:system|tool|desk))\b|"
    r"\b(?:tickets?|cases?)\s+(?:in|on)\s+(?!(?:the|that|this|a|an|each|every|our|their)\b)[\w.-]+"
)
_TICKET_WRITE = (
    # the ticket moved: "bump it to high priority", "move to the escalation group", "put the
    # ticket in that department"
    r"\b(?:bump|bumps|set|sets|change|changes|raise|raises|escalate|escalates|move|moves|assign|"
    r"assigns|put|puts|route|routes)\s+(?:it\s+|them\s+|the\s+(?:ticket|case)s?\s+)?(?:to|in|into)\s+"
    r"(?:the\s+|a\s+|that\s+|its\s+)?(?:[\w-]+\s+){0,2}?(?:priority|group|department|queue)\b|"
    # a field set on it: "sets the category and priority on it"
    r"\b(?:set|sets|change|changes|update|updates|fill|fills)\s+(?:in\s+)?(?:the\s+|its\s+)?"
    r"(?:category|priority|department|group)\b[^.;]{0,60}\bon\s+(?:it|them|the\s+(?:ticket|case))\b|"
    r"\b(?:tag|tags|label|labels)\s+(?:the|each|every|that|this)\s+(?:ticket|case)\b"
)


def _ticket_writes(steps: StepList, t: str, w: str) -> None:
    """A write to the helpdesk where the workflow makes or changes its tickets."""
    if not has(t, _TICKETS):
        return
    named = tools.named_external_tools(t)
    made = has(w, _TICKET_RAISED) or (
        has(w, _TICKET_MADE) and (bool(named) or has(t, _TICKET_PLACE))
    )
    if not made and not has(w, _TICKET_WRITE):
        return
    if any(writes_over_http(s) for s in steps.items):
        return  # the named tool's write already is the helpdesk's
    tool = next(iter(named), None)
    steps.add(
        "update_ticket",
        "http.request",
        {"method": "POST", "url": tools.url_of(t, tool or "helpdesk"), "json": "{{ trigger }}"},
        name="Create or update the ticket in the helpdesk",
    )


def _http_writes(steps: StepList, t: str, w: str, drafted: str | None) -> None:
    if has(
        w,
        r"\b(?:in-house|homemade|our\s+own)\b[^.]{0,30}\b(?:crm|system|app|api)|\brest\s+api\b|\bwebhook\s+to\b",
    ):
        steps.add(
            "push_inhouse",
            "http.request",
            {"method": "POST", "url": _API_HOST + "/contacts", "json": "{{ trigger }}"},
        )
    for tool in tools.external_writes(w):
        slug = re.sub(r"\W+", "_", tool)
        steps.add("write_" + slug, "http.request", tools.post_inputs(t, tool))
    if tools.api_post(w) and not any(writes_over_http(s) for s in steps.items):
        steps.add("call_api", "http.request", tools.post_inputs(t))
    if has(w, r"\btweet\w*\b|\bpost\s+(?:it|them)\s+(?:on|to)\s+(?:twitter|x|linkedin)\b"):
        steps.add("publish_post", "http.request", {"method": "POST", "url": _API_HOST + "/posts"})
    if has(
        w,
        r"\b(?:post|publish|reply)\w*\b[^.]{0,30}\bfrom\s+our\s+account|\bpost\s+(?:it|them)\s+(?:on|to)\s+(?:twitter|mastodon|bluesky|linkedin)",
    ):
        reply = "{{ steps.draft_reply.reply }}" if drafted else "{{ trigger.title }}"
        steps.add(
            "publish_reply",
            "http.request",
            {"method": "POST", "url": _API_HOST + "/posts", "json": {"text": reply}},
        )


def report_reads_crm(steps: StepList) -> bool:
    """A report that names deals (closed or new) already reads the CRM for them."""
    return any(
        s.get("action") == "report.build"
        and {"deals", "new_deals"} & set(s["inputs"].get("include") or [])
        for s in steps.items
    )


# What is done is written down in a sheet: "log each reminder in our 'collections' google sheet",
# "record the date we sent it in the reminders sheet".
_LOGGED_IN_SHEET = (
    r"\b(?:log|logs|logging|record|records|recording|write|append|track|note)\b[^.;]{0,50}?\b"
    r"(?:in|to|into|on)\s+(?:our|the|a|my|its)\s+(?:['\"\u2018\u201c][^'\"\u2019\u201d]{1,30}['\"\u2019\u201d]\s+|[\w-]+\s+){0,3}?"
    r"(?:google\s+)?(?:sheet|spreadsheet)s?\b"
)


def cover_named_tools(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Give a named tool that no step uses yet a read step, so the draft reflects the request."""
    started = trigger.kind in ("webhook", "poll") and not has(without_start(t), CRM_NAMES)
    crm_named = "crm" in slots.tools and not started  # a CRM event only starts it: no CRM step
    if crm_named and not steps.has_integration("crm") and not report_reads_crm(steps):
        step_id = steps.add(
            "find_contacts",
            "crm.find_contacts",
            {"query": slots.quoted[0] if slots.quoted else "", "limit": 100},
        )
        steps.items.insert(0, steps.items.pop())  # a read goes before what it feeds
        assert steps.items[0]["id"] == step_id
    if "sheets" in slots.tools and not steps.has_integration("sheets"):
        where = {"spreadsheet": sheet_name(t), "sheet": tab_of(t)}
        if has(t, _LOGGED_IN_SHEET):  # "log each reminder in our collections sheet": a new row
            steps.add("append_row", "sheets.append_row", where | {"values": "{{ trigger }}"})
        else:
            steps.add("read_rows", "sheets.read_rows", where)
            steps.items.insert(0, steps.items.pop())  # a read goes before what it feeds
    stripe_missing = "stripe" in slots.tools and not steps.has_integration("stripe")
    invoices = has(t, r"\binvoice") and trigger.kind != "email"  # an emailed invoice is mail
    if stripe_missing and trigger.kind != "stripe" and (has(t, r"\bstripe\b") or invoices):
        steps.add("payments", "stripe.summarize_payments", {"period": period(t)})
    if "rss" in slots.tools and not steps.has_integration("rss") and trigger.kind == "poll":
        steps.add(
            "new_items", "rss.new_items", {"url": trigger.spec["url"], "keywords": slots.quoted[:5]}
        )
