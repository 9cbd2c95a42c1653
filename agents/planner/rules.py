"""Which catalogue actions a request needs: reads, AI, and writes to systems of record."""

from __future__ import annotations

import re

from agents.planner.intents import CRM_NAMES, SOCIAL, TriggerReading, poll_url
from agents.planner.notify import add_emails, add_slack
from agents.planner.slots import Slots
from agents.planner.steps import StepList
from agents.planner.text import has

__all__ = ["add_ai", "add_emails", "add_reads", "add_slack", "add_writes", "cover_named_tools"]

_API_HOST = "https://api.example.com"
_REPORT = (
    r"\b(?:report|reports|numbers|figures|stats|statistics|kpis?|recap|breakdown|dashboard|"
    r"revenue|sales\s+summary)\b|\b(?:orders|refunds|failed\s+payments)\b[^.]{0,40}\bfrom\s+stripe"
)
_DELETE = r"\b(?:wipe|delete|remove|purge|erase|get\s+rid\s+of|clean\s+out)\b"
_CRM_UPSERT = (
    r"\badd\s+(?:them|him|her|it|the\s+\w+|each\s+\w+|new\s+\w+)?\s*(?:to|into|in)\b[^.]{0,20}"
    + CRM_NAMES
    + r"|\bcreate\s+(?:a\s+|an\s+)?(?:new\s+)?(?:deal|contact|lead|record|person)|"
    r"(?:->|into|in|go\s+in)\s+(?:our\s+|the\s+)?" + CRM_NAMES + r"|\bnew\s+contact\b|"
    r"\bpull\b[^.]{0,60}\binto\b[^.]{0,20}" + CRM_NAMES + r"|\bsync\w*|\btwo[- ]way|\bboth\s+ways"
)
_CRM_UPDATE = (
    r"\b(?:mark|marks|flag|tag|tick|move|moves|set|update|log|note|to-?do|stage|vip|"
    r"milestones?|edits?|copy)\b"
)


def wants_report(t: str, slots: Slots, trigger: str) -> bool:
    """Whether the request asks for a built report (figures, a recap, a non-AI summary)."""
    if has(t, r"\breports?\b"):
        return True
    if trigger not in ("schedule", "manual") or has(t, r"/metrics|metrics\s+endpoint"):
        return False
    return has(t, _REPORT) or (
        not slots.uses_ai and has(t, r"\bsummary\b|\bdigest\b") and not has(t, SOCIAL)
    )


def period(t: str) -> str:
    """The reporting period a request implies, as a duration."""
    if has(t, r"\byesterday|\bdaily\b|\bevery\s*day|\bweekdays?\b|\blast\s+24"):
        return "1 day"
    if has(t, r"\bmonth|\b1st\s+and\s+15th"):
        return "30 days" if not has(t, r"\b15th\b") else "15 days"
    return "7 days"


def add_reads(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Steps that fetch data: feeds, APIs (GET), Stripe, CRM and sheet reads."""
    if has(t, SOCIAL) and "rss" in slots.tools:
        url = trigger.spec.get("url") or poll_url(t, slots.quoted)
        steps.add("new_items", "rss.new_items", {"url": url, "keywords": slots.quoted[:5]})
    if has(
        t,
        r"\b(?:hit|call|check|fetch|query|get|pull|read)\b[^.]{0,30}(?:/[a-z]|\bendpoint|\bapi\b)",
    ):
        path = re.search(r"(?<![\w/])(/[a-z][\w/-]*)", t)
        url = _API_HOST + (path.group(1) if path else "/status")
        steps.add("fetch", "http.request", {"method": "GET", "url": url})
    if has(
        t, r"\bfrom\s+shopify|\bshopify\b[^.]{0,20}\b(?:tracking|status|lookup)|tracking\s+link"
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
    if trigger.kind == "interval" or has(t, r"\buptime\b|\b(?:site|website)\s+(?:goes|is)\s+down"):
        steps.add("check_site", "http.request", {"method": "GET", "url": "https://www.example.com"})
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
        has(
            t,
            r"\bfrom\b[^.]{0,30}\bsheet|\bin\s+(?:our|the)\s+(?:\w+\s+)?(?:google\s+)?sheet|"
            r"\btab\b|\bdrops?\b|\bbelow\b|\bsync|\btwo[- ]way|\bboth\s+ways|\bsheet\s+edits",
        )
    ):
        steps.add(
            "read_rows", "sheets.read_rows", {"spreadsheet": _sheet_name(t), "sheet": _tab(t)}
        )


def _stripe_reads(steps: StepList, t: str, trigger: TriggerReading) -> None:
    if (
        trigger.kind != "stripe"
        and has(t, r"\binvoices?\b")
        and not has(t, r"\bcreate\s+an?\s+invoice")
    ):
        overdue = [
            int(n)
            for n in re.findall(
                r"(\d{1,3})\+?\s*days?\s+(?:overdue|past\s+due|late|after\s+due)", t
            )
        ]
        overdue += [int(n) for n in re.findall(r"older\s+than\s+(\d{1,3})\s+days", t)]
        inputs: dict[str, object] = {"status": "open"}
        if overdue:
            inputs["overdue_days"] = min(overdue)
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


def add_ai(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """AI steps: extract fields, categorise, summarise, draft replies."""
    source = _source_text(steps, trigger)
    if has(t, r"\b(?:pull\s+out|extract|parse|pick\s+out|grab\s+the)\b") and slots.fields:
        steps.add("extract", "ai.extract", {"text": source, "fields": slots.fields})
    labels = _labels(t)
    if labels or has(
        t,
        r"\b(?:classify|categori[sz]e|sort\s+(?:each|them|it|into)|triage|score|sentiment|"
        r"work\s+out\s+which|decide\s+whether|is\s+urgent|spam|tag\s+(?:the|every|each|them))\b",
    ):
        chosen = labels or ["urgent", "normal"]
        ai_inputs = {"text": source, "labels": chosen, "fallback": chosen[-1]}
        steps.add("classify", "ai.categorize", ai_inputs)
    if has(t, r"\bsummar(?:ize|y|ies)|\bdigest\b|\bbullet|\bcouple\s+of\s+lines") and slots.uses_ai:
        steps.add("summarize", "ai.summarize", {"text": source, "max_sentences": 3})
    if has(
        t,
        r"\b(?:draft|write|suggest)\w*\s+(?:a\s+)?(?:draft\s+)?(?:reply|replies|response|answer)|"
        r"\bcanned|\bstandard\s+info|\bmatching\s+\w+\s+answer|\bauto[\s-]?repl",
    ):
        inputs: dict[str, object] = {"message": source}
        if "classify" in {s["id"] for s in steps.items}:
            inputs["label"] = "{{ steps.classify.label }}"
        steps.add("draft_reply", "ai.draft_reply", inputs)


def add_writes(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Writes to systems of record: CRM, sheets, Stripe, outbound HTTP."""
    if "crm" in slots.tools or has(t, r"\bcontacts?\b|\bcustomers?\b"):
        _crm_writes(steps, t, slots)
    if "sheets" in slots.tools:
        name, tab = _sheet_name(t), _tab(t)
        if has(
            t,
            r"\b(?:add|append|log|put|insert|record|save|go)\w*\b[^.]{0,40}\b(?:row|sheet|spreadsheet)"
            r"|\brow\s+to\b|\bgo\s+in\s+our\b",
        ):
            steps.add(
                "append_row",
                "sheets.append_row",
                {"spreadsheet": name, "sheet": tab, "values": "{{ trigger }}"},
            )
        if has(
            t,
            r"\btick\b|\bupdate\b[^.]{0,30}\bsheet|\bgo\s+to\s+the\s+sheet|\bsync|\btwo[- ]way|"
            r"\bboth\s+ways|\bmilestone",
        ):
            match = {"email": "{{ trigger.email }}"}
            row = {
                "spreadsheet": name,
                "sheet": tab,
                "match": match,
                "values": {"updated": "{{ now }}"},
            }
            steps.add("update_row", "sheets.update_row", row)
    plan = re.search(
        r"\b(?:move|switch|change|upgrade|downgrade|migrate|put|cancel)\b[^.]{0,60}\b(?:subscriptions?|plans?)\b",
        t,
    )
    if plan and has(t, r"\bsubscriptions?\b|\bplan\b"):
        plan_name = re.search(r"\bto\s+(?:the\s+)?([a-z0-9-]+)\s+plan\b|\b(cancel)", t)
        target = "all" if has(t, r"\b(?:every|all|everyone)\b") else "{{ trigger.subscription_id }}"
        steps.add(
            "change_plan",
            "stripe.update_subscription",
            {
                "subscription_id": target,
                "price": (plan_name.group(1) or plan_name.group(2)) if plan_name else "new-plan",
            },
        )
    if has(
        t,
        r"\bonto\s+the\s+stripe\s+customer|\bupdate\s+(?:the\s+)?stripe\s+customer|\bstripe\s+metadata",
    ):
        steps.add(
            "update_customer",
            "stripe.update_customer",
            {"customer_id": "{{ trigger.customer_id }}", "metadata": {}},
        )
    if has(
        t,
        r"\b(?:in-house|homemade|our\s+own)\b[^.]{0,30}\b(?:crm|system|app|api)|\brest\s+api\b|\bwebhook\s+to\b",
    ):
        steps.add(
            "push_inhouse",
            "http.request",
            {"method": "POST", "url": _API_HOST + "/contacts", "json": "{{ trigger }}"},
        )
    if has(t, r"\btweet\w*\b|\bpost\s+(?:it|them)\s+(?:on|to)\s+(?:twitter|x|linkedin)\b"):
        steps.add("publish_post", "http.request", {"method": "POST", "url": _API_HOST + "/posts"})
    if has(
        t, r"\b(?:rotate|regenerate|roll)\b[^.]{0,60}\b(?:keys?|tokens?|credentials?|secrets?)\b"
    ):
        steps.add(
            "rotate_keys", "http.request", {"method": "POST", "url": _API_HOST + "/keys/rotate"}
        )
    if has(
        t,
        r"\b(?:post|publish|reply)\w*\b[^.]{0,30}\bfrom\s+our\s+account|\bpost\s+(?:it|them)\s+(?:on|to)\s+(?:twitter|mastodon|bluesky|linkedin)",
    ):
        reply = (
            "{{ steps.draft_reply.reply }}"
            if steps.first("ai.draft_reply")
            else "{{ trigger.title }}"
        )
        steps.add(
            "publish_reply",
            "http.request",
            {"method": "POST", "url": _API_HOST + "/posts", "json": {"text": reply}},
        )


def _crm_writes(steps: StepList, t: str, slots: Slots) -> None:
    if has(t, _DELETE) and has(t, r"\b(?:contacts?|customers?|leads?|records?|crm)\b"):
        span = re.search(r"(\d{1,2})\+?\s*(year|month|week|day)s?", t)
        days = {"year": 365, "month": 30, "week": 7, "day": 1}
        inactive = int(span.group(1)) * days[span.group(2)] if span else 365
        steps.add("delete_contacts", "crm.delete_contacts", {"inactive_for": f"{inactive} days"})
        return
    if "crm" not in slots.tools:
        return
    if has(t, _CRM_UPSERT):
        steps.add(
            "save_contact",
            "crm.upsert_contact",
            {"email": "{{ trigger.email }}", "name": "{{ trigger.name }}", "source": "workflow"},
        )
    clauses = [c for c in re.split(r"[.;!?]|\bthen\b|\band\s+if\b", t) if not has(c, r"#[a-z]")]
    if any(has(c, _CRM_UPDATE) for c in clauses) and not has(t, r"\bdon't\s+(?:update|touch)"):
        stage = re.search(
            r"\b(?:as|to\s+the|mark\s+it|stage)\s+['\"]?([a-z-]+)['\"]?(?:\s+stage)?", t
        )
        inputs: dict[str, object] = {"email": "{{ trigger.email }}"}
        if stage and stage.group(1) not in ("a", "an", "the", "it"):
            inputs["stage"] = stage.group(1)
        if has(t, r"\bnote|\bto-?do|\blog\b|\bmilestone"):
            inputs["note"] = "Logged by Levqor workflow"
        steps.add("update_contact", "crm.update_contact", inputs)


def cover_named_tools(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Give a named tool that no step uses yet a read step, so the draft reflects the request."""
    if "crm" in slots.tools and not steps.has_integration("crm"):
        steps.add(
            "find_contacts",
            "crm.find_contacts",
            {"query": slots.quoted[0] if slots.quoted else "", "limit": 100},
        )
    if "sheets" in slots.tools and not steps.has_integration("sheets"):
        steps.add(
            "read_rows", "sheets.read_rows", {"spreadsheet": _sheet_name(t), "sheet": _tab(t)}
        )
    stripe_missing = "stripe" in slots.tools and not steps.has_integration("stripe")
    if stripe_missing and trigger.kind != "stripe" and has(t, r"\bstripe\b|\binvoice"):
        steps.add("payments", "stripe.summarize_payments", {"period": period(t)})
    if "rss" in slots.tools and not steps.has_integration("rss") and trigger.kind == "poll":
        steps.add(
            "new_items", "rss.new_items", {"url": trigger.spec["url"], "keywords": slots.quoted[:5]}
        )


def _source_text(steps: StepList, trigger: TriggerReading) -> str:
    if steps.first("rss.new_items"):
        return "{{ steps.new_items.items }}"
    if steps.first("sheets.read_rows"):
        return "{{ steps.read_rows.rows }}"
    if trigger.kind == "email":
        return "{{ trigger.text }}"
    return "{{ trigger }}"


def _labels(t: str) -> list[str]:
    match = re.search(r"\b([a-z][a-z ]{1,20}(?:\s*/\s*[a-z][a-z ]{1,20}){2,})", t)
    if match:
        return [p.strip() for p in match.group(1).split("/") if p.strip()][:8]
    match = re.search(r"\bas\s+([a-z]+(?:\s*,\s*[a-z]+)+\s*(?:or|and)\s+[a-z]+)\b", t)
    if match:
        return [p.strip() for p in re.split(r",|\bor\b|\band\b", match.group(1)) if p.strip()]
    match = re.search(r"\(([a-z ]+(?:\s*/\s*[a-z ]+)+)\)", t)
    if match:
        return [p.strip() for p in match.group(1).split("/") if p.strip()]
    if has(t, r"\bsentiment\b"):
        return ["negative", "neutral", "positive"]
    return []


def _sheet_name(t: str) -> str:
    match = re.search(r"['\"]([^'\"]{2,40})['\"]\s+(?:google\s+)?sheet", t) or re.search(
        r"\b(?:our|the|my)\s+((?:[a-z]+\s+){0,2}?)(?:google\s+)?(?:sheet|spreadsheet)\b", t
    )
    name = (match.group(1).strip() if match else "") or "Levqor"
    return name.title()


def _tab(t: str) -> str:
    match = re.search(r"\bthe\s+([a-z]+)\s+tab\b", t)
    return match.group(1).title() if match else "Sheet1"
