"""website-uptime-alert: "tell #ops when our site goes down" → a check that may fail, an alert
once per outage (alert.crossed remembers the state between runs) and a notice on recovery."""

from __future__ import annotations

import re
from typing import Any

from agents.planner.intents import TriggerReading, announces_outage
from agents.planner.slots import Slots
from agents.planner.text import has

_DOWN = (
    r"\b(?:goes|go|is|are|went|gets?|becomes?)\s+(?:down|offline|unreachable|unavailable)\b|"
    r"\b(?:down|unreachable|unavailable|not\s+responding|stops?\s+(?:answering|responding|"
    r"working|loading))\b|\boffline\b(?!\s+(?:messages?|forms?|mode|payments?|orders?|sales?|"
    r"events?|bookings?|stores?|shops?|hours?))|\buptime\b|"
    # an outage announced ahead ("about the planned downtime") is news to send, not a check
    r"(?<!planned\s)(?<!scheduled\s)\b(?:outages?|downtime)\b"
)
_SITE = (
    r"\b(?:site|website|web\s*site|page|api|server|endpoint|app|service|shop|store|url|domain|"
    r"portal|dashboard|status|backend|back-end|frontend|front-end|platform|host|instance|"
    r"cluster|database|db)s?\b|https?://"
)
_URL = re.compile(
    r"\b(?:https?://)?((?:(?:[a-z0-9-]+\.)+[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})(?::\d{2,5})?"
    r"(?:/[\w./-]*)?)"
)
_FAILS = (
    r"\b(?:fails?|failing|failed|errors?(?:\s+out)?|breaks?|"
    r"returns?\s+(?:an?\s+)?(?:error|5\d\d))\b"
)
_NOTIFY = ("slack.post_message", "email.send", "http.request")
# A health or status path, checked until it fails: "keep pinging our dashboard's /healthcheck".
_HEALTH_PATH = r"/[\w/-]*health\w*|/status\b|/ping\b|\bhealth\s*-?checks?\b"
# "closing the shop down", "wind the old plan down", "write it down": a verb's "down", no outage
_PHRASAL_DOWN = (
    r"\b(?:clos|shut|wind|scal|turn|writ|wrote|mark|narrow|cut|step|pull|tak|took|tear|put|knock|"
    r"not|jot|hunt|track|break|slow|calm|count|settl|wrap|water|boil|bring|brought)\w*\s+"
    r"(?:[\w']+\s+){0,3}?down\b"
)
# The outage comes in as an event: an app's webhook, a form, an incident someone logs or declares.
# A figure that goes down or drops: "if the price on rival.io/plans goes down", "when the
# cost goes down", a count that goes down: a value moving, not a site failing.
VALUE_DOWN = (
    r"\b(?:price|prices|pricing|cost|costs|rate|rates|fee|fees|value|number|count|score|level|"
    r"stock|balance|temperature|traffic|sales|revenue|rank|ranking)\b(?:[^.]|\.(?=\w)){0,50}?"
    r"\b(?:goes|go|went|gets?|is|are)\s+down\b"
)
# Words about uptime that ask for no check: a report of figures ("their network uptime report
# for the month"), or a ticket's priority named by an outage ("if its a P1 (service down)").
NOT_A_CHECK = (
    r"\buptime\s+(?:reports?|stats|statistics|numbers|figures|summar(?:y|ies)|percentages?|"
    r"sla\s+reports?|dashboards?)\b|"
    r"\b(?:p[0-4]|sev(?:erity)?\s?[0-4]|priority\s+[0-4]|urgent|critical)\s*\([^)]{0,40}\)|"
    # words a ticket or message says: "any new ticket that mentions outage, lawsuit or breach"
    r"\b(?:tickets?|e-?mails?|messages?|requests?|notes?|chats?|calls?|texts?|submissions?|"
    r"comments?|posts?|reviews?)\s+(?:that\s+|which\s+)?(?:mentions?|mentioning|contains?|"
    r"containing|says|saying|with\s+the\s+words?)\s+(?:[\w'\"]+,?\s+){0,6}?"
    r"(?:outages?|downtime|down|offline)\b"
)
_TOLD_OUTAGE = (
    r"\bwebhook|\bforms?\b|\border|\bsubmi|\b(?:i|we|someone|they)\s+(?:log|logs|post|declare|open|"
    r"report|raise)\b|\b(?:is|gets?|was)\s+(?:logged|declared|opened|reported|raised)\b|\bincidents?\b"
)
_STATE = "{{ 1 if steps.check.failed else 0 }}"  # http.request fails on no answer and on 4xx/5xx


def uptime_monitor(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """Reshape an uptime request into check → state → alert (once) → recovery notice."""
    t = re.sub(_PHRASAL_DOWN, " ", slots.text)  # "closing the shop down" is no outage
    t = re.sub(VALUE_DOWN, " ", t)  # "if the price on rival.io goes down": a price, no outage
    t = re.sub(NOT_A_CHECK, " ", t)  # "their uptime report", "a P1 (service down)": no check
    kinds = ("interval", "manual", "poll", "schedule", "webhook")
    address = site_address(t)
    down = has(t, _DOWN) or (
        (address is not None or has(t, _HEALTH_PATH)) and has(t, _FAILS)  # "/healthcheck fails"
    )
    if not (down and (has(t, _SITE) or address)) or trigger.kind not in kinds:
        return False
    if announces_outage(t) and trigger.kind != "interval":
        return False  # "email everyone when the service will be unavailable": news, not a check
    if trigger.kind == "webhook" and has(t, _TOLD_OUTAGE):
        return False  # an app tells us it is down ("each outage I log on the status page")
    url = _url(t)
    if raw["trigger"].get("type") != "schedule" or _uneven_minutes(t):
        # a clock the request named stays as it is, unless cron could only come near it
        raw["trigger"] = {"type": "interval", "seconds": _every(raw["trigger"], t)}
    notify = [
        s
        for s in raw["steps"]
        if s.get("action") in _NOTIFY
        and not (s["action"] == "http.request" and s["inputs"].get("method", "GET") == "GET")
    ]
    if not notify:
        notify = [{"id": "alert", "action": "email.send",
                   "inputs": {"to": "member:me", "subject": "", "text": ""}}]  # fmt: skip
    steps: list[dict[str, Any]] = [
        {
            "id": "check",
            "name": "Load the page",
            "action": "http.request",
            "inputs": {"method": "GET", "url": url, "timeout_seconds": 10},
            "retry": {"max_attempts": 2},
            "continue_on_error": True,
        },
        {
            "id": "state",
            "name": "Remember whether it is down",
            "action": "alert.crossed",
            "inputs": {"key": "down", "value": _STATE, "threshold": 0.5},
        },
    ]
    for i, step in enumerate(notify):
        suffix = "" if i == 0 else f"_{i + 1}"
        steps.append(_message(step, f"alert{suffix}", "steps.state.crossed", _down_text(url)))
        steps.append(_message(step, f"recovered{suffix}", "steps.state.recovered", _up_text(url)))
    raw["steps"] = steps
    raw["category"] = "notifications"
    if address:
        raw["name"] = f"Uptime check of {_host(address)}"
    return True


def _uneven_minutes(t: str) -> bool:
    """ "every 90 minutes": a step cron cannot take (an interval checks exactly that often)."""
    said = re.search(r"\bevery\s+(\d{1,4})\s*min(?:ute)?s?\b", t)
    if not said:
        return False
    minutes = int(said.group(1))
    return minutes % 60 != 0 if minutes >= 60 else 60 % minutes != 0


def _host(url: str) -> str:
    return re.sub(r"^https?://", "", url).split("/")[0]


def _every(trigger: dict[str, Any], t: str = "") -> int:
    """Seconds between checks: the interval asked for ("every 90 minutes"), else every 5 minutes."""
    if trigger.get("type") == "interval":
        return int(trigger.get("seconds", 300))
    said = re.search(r"\bevery\s+(\d{1,4})\s*(min(?:ute)?s?|h(?:ou)?rs?)\b", t)
    if said:
        return int(said.group(1)) * (3600 if said.group(2).startswith("h") else 60)
    return 300


def site_address(t: str) -> str | None:
    """The web address the request names (email addresses aside), as an https URL, or None."""
    found = _URL.search(re.sub(r"[\w.+-]+@[\w.-]+", " ", t))
    if not found:
        return None
    scheme = re.search(r"\b(https?)://" + re.escape(found.group(1)), t)
    return f"{scheme.group(1) if scheme else 'https'}://{found.group(1)}"


def _url(t: str) -> str:
    """The address to check; example.com (which the planner asks about) when none is named."""
    return site_address(t) or "https://www.example.com"


def _message(step: dict[str, Any], step_id: str, when: str, text: str) -> dict[str, Any]:
    inputs = dict(step["inputs"])
    if step["action"] == "email.send":
        inputs["subject"] = "Website down" if step_id.startswith("alert") else "Website back up"
        inputs["text"] = text
    elif step["action"] == "slack.post_message":
        inputs["text"] = text
    else:
        inputs["json"] = {"text": text}
    return {"id": step_id, "action": step["action"], "inputs": inputs, "when": when}


def _down_text(url: str) -> str:
    return f"{url} is down ({{{{ steps.check.error }}}})"


def _up_text(url: str) -> str:
    return f"{url} is back up"
