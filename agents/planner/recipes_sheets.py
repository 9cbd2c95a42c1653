"""new-sheet-rows: "when a row is added to the Orders sheet, email the customer" → a poll of that
sheet (one run per new row, the row as trigger data), without a placeholder feed or a step that
reads the sheet again. And "a new file in a Google Drive folder", which nothing in Levqor can
watch yet: a question that says so and offers a sheet or a form/webhook instead."""

from __future__ import annotations

import re
from typing import Any

from agents.planner.intents import TriggerReading
from agents.planner.records import sheet_name, tab_of
from agents.planner.slots import Slots
from agents.planner.text import has

_ROW = r"(?:rows?|entr(?:y|ies)|lines?|records?)"
_SHEET = r"(?:google\s+)?(?:sheets?|spreadsheets?|tabs?|gsheets?)\b"
_WHEN = r"\b(?:when|whenever|each\s+time|every\s+time|once|if|as\s+soon\s+as|after)\s+"
_ADDED = r"(?:added|appended|inserted|created|entered|filled\s+in|put\s+in)"
_EVENT = (
    # "when a new row is added to the Orders sheet", "whenever rows get added to our sheet"
    _WHEN + r"(?:a\s+|an\s+|any\s+|new\s+)*" + _ROW + r"\s+(?:is|are|gets?|has\s+been|have\s+been)"
    r"\s+"
    + _ADDED
    + r"|"
    # "when someone adds a row to our 'Leads' sheet", "when we add a new entry in the tab"
    + _WHEN
    + r"(?:someone|somebody|anyone|anybody|a\s+\w+|we|i|they|staff|the\s+team)\s+"
    r"(?:adds?|appends?|enters?|inserts?|puts?|creates?)\s+(?:a\s+|an\s+|new\s+|another\s+)*"
    + _ROW
    + r"\b|"
    # "new rows in the Orders sheet", "for each new entry on the Bookings tab", "rows added to"
    r"(?<!add\s)(?<!adds\s)(?<!append\s)(?<!insert\s)(?<!create\s)(?<!a\s)"
    r"\bnew\s+" + _ROW + r"\s+(?:in|on|to|of|added\s+to|appear\w*\s+in|show\w*\s+up\s+in)\b|"
    r"\b" + _ROW + r"\s+(?:are\s+|get\s+)?added\s+to\b"
)
_STORAGE = (
    r"(?:google\s+)?drive|dropbox|one\s*drive|sharepoint|box(?:\.com)?|"
    r"(?:amazon\s+)?s3(?:\s+bucket)?|bucket"
)
# What lands in a folder: files by their kind, or papers by their use when a new one is meant
# ("a new receipt is saved to", not "the invoices saved in our drive folder").
_FILES = (
    r"\b(?:new\s+)?(?:files?|pdfs?|documents?|docs?|images?|photos?|uploads?)|"
    r"\b(?:new|a|an|any|each|every)\s+(?:new\s+)?(?:scans?|receipts?|invoices?|contracts?|csvs?|"
    r"spreadsheets?|recordings?)"
)
_DRIVE = (
    r"(?:" + _FILES + r")\b[^.]{0,60}?"
    r"\b(?:lands?|arrives?|appears?|(?:is|are|gets?)\s+(?:added|uploaded|dropped|saved|put)|"
    r"(?:added|uploaded|dropped|saved)|shows?\s+up)\s+(?:in|to|into|on)\b[^.,;]{0,40}?"
    r"\b(?:" + _STORAGE + r")\b|"
    r"\b(?:uploads?|adds?|drops?|puts?|saves?)\s+(?:a\s+|an\s+|new\s+)*(?:files?|pdfs?|documents?|"
    r"docs?)\s+(?:in|to|into)\b[^.]{0,40}?\b(?:" + _STORAGE + r")\b|"
    r"\b(?:watch|monitor|keep\s+an\s+eye\s+on)\b[^.]{0,40}?\b(?:" + _STORAGE + r")\b[^.]{0,30}?"
    r"\bnew\s+(?:files?|pdfs?|documents?|uploads?)\b"
)
_SERVICES = (
    (r"\bdropbox\b", "Dropbox"),
    (r"\bone\s*drive\b", "OneDrive"),
    (r"\bsharepoint\b", "SharePoint"),
    (r"\bs3\b|\bbucket\b", "Amazon S3"),
    (r"\bbox(?:\.com)?\b", "Box"),
    (r"\bdrive\b", "Google Drive"),
)
DRIVE_QUESTION = (
    "Levqor can't watch {service} folder for new files yet. I can start this when a row is "
    "added to a Google Sheet, or when a form or another app (a webhook) sends Levqor the file's "
    "details. Which would you like?"
)
DRIVE_CHOICES = [
    "When a row is added to a Google Sheet",
    "When a form or another app sends the file's details",
]
_READS = ("sheets.read_rows", "rss.new_items")
_WELCOME = (
    "Hello,\n\nWelcome, and thank you for joining us. Here is what we have:\n\n"
    "{{ trigger | summary }}"
)
_CONFIRM = (
    "Hello,\n\nThank you: we have received your {noun}. Here is what we have:\n\n"
    "{{{{ trigger | summary }}}}"
)


def rows_added(text: str) -> bool:
    """Whether the request starts on rows added to a sheet (not on adding rows to one)."""
    found = re.search(_EVENT, text)
    return found is not None and has(text[found.start() : found.end() + 80], _SHEET)


def drive_folder_question(text: str) -> str | None:
    """The answer to "when a new file lands in our Drive (Dropbox, S3 …) folder": not yet."""
    if not has(text, _DRIVE) or rows_added(text):
        return None
    service = next((name for pattern, name in _SERVICES if has(text, pattern)), "Google Drive")
    article = "an" if service.startswith("Amazon") else "a"  # "a OneDrive folder"
    return DRIVE_QUESTION.format(service=f"{article} {service}")


def sheet_rows_added(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """Reshape a rows-added request into a poll of the named sheet; whether it did."""
    t = slots.text
    if not rows_added(t) or trigger.kind in ("stripe", "email", "slack", "schedule"):
        return False  # another event starts it, or a clock ("every Monday, the new rows")
    book, tab = sheet_name(t), tab_of(t)
    steps, dropped = [], []
    for step in raw["steps"]:
        action = step.get("action")
        inputs = step.get("inputs") or {}
        if action in _READS or (action == "http.request" and inputs.get("method", "GET") == "GET"):
            dropped.append(str(step.get("id")))  # the row is the trigger data: no second read
            continue
        steps.append(step)
    for step in steps:
        step["inputs"] = _row_instead(step.get("inputs") or {}, dropped)
        _plain_message(step, t, book)
    if not steps and has(t, r"\be-?mail"):
        steps = [
            {
                "id": "email_me",
                "action": "email.send",
                "inputs": {
                    "to": "member:me",
                    "subject": f"New row in the {book} sheet",
                    "text": "{{ trigger | summary }}",
                },
            }
        ]
    if not steps:
        return False  # nothing to do with the row yet: the draft stays as it is
    old = raw["trigger"]
    every = old.get("interval_seconds") if old.get("type") == "poll" else old.get("seconds")
    raw["trigger"] = {
        "type": "poll",
        "spreadsheet": book,
        "sheet": tab,
        "interval_seconds": every if isinstance(every, int) else 900,
    }
    raw["steps"] = steps
    raw["description"] = (
        f"{raw.get('description', '')} (the first check only notes the rows already in the "
        "sheet: each row added after that starts one run)"
    )[:2000]
    return True


def _row_instead(value: Any, dropped: list[str]) -> Any:
    """Inputs that read a dropped read step ("{{ steps.read_rows.rows }}") read the row."""
    if isinstance(value, str):
        for step_id in dropped:
            ref = rf"steps(?:\.{step_id}|\[['\"]{step_id}['\"]\])(?:\.rows|\[['\"]rows['\"]\])?"
            value = re.sub(ref, "trigger", value)
        return value
    if isinstance(value, dict):
        return {k: _row_instead(v, dropped) for k, v in value.items()}
    if isinstance(value, list):
        return [_row_instead(v, dropped) for v in value]
    return value


def _plain_message(step: dict[str, Any], t: str, book: str) -> None:
    """A message that only dumped the trigger says what happened in words (AI-written text and
    messages that use other steps stay as drafted)."""
    inputs = step.get("inputs") or {}
    text = str(inputs.get("text", ""))
    if step.get("action") not in ("email.send", "slack.post_message") or "steps" in text:
        return
    if "trigger" not in str(inputs):
        return
    if step["action"] == "email.send" and "trigger." in str(inputs.get("to")):
        if has(t, r"\bwelcome"):
            inputs["subject"], inputs["text"] = "Welcome", _WELCOME
        else:
            noun = "order" if has(t, r"\border") else "details"
            inputs["subject"] = f"We have received your {noun}"
            inputs["text"] = _CONFIRM.format(noun=noun)
    else:
        inputs["text"] = f"New row in the {book} sheet:\n{{{{ trigger | summary }}}}"


def keep_sheet_poll(raw: dict[str, Any]) -> None:
    """After the model's additions: a watched sheet is not read again, nor its row appended back
    to it (that would add a row per new row, forever)."""
    trigger = raw.get("trigger") or {}
    if trigger.get("type") != "poll" or not trigger.get("sheet"):
        return
    same = {"spreadsheet": trigger.get("spreadsheet"), "sheet": trigger.get("sheet")}

    def echo(step: dict[str, Any]) -> bool:
        inputs = step.get("inputs") or {}
        watched = all(inputs.get(k) == v for k, v in same.items())
        return watched and step.get("action") in ("sheets.read_rows", "sheets.append_row")

    kept = [s for s in raw["steps"] if not echo(s)]
    raw["steps"] = kept or raw["steps"]


def drive_folder_draft(raw: dict[str, Any]) -> None:
    """The provisional reading beside the Drive question starts on a form/webhook, never on a
    placeholder feed."""
    if raw.get("trigger", {}).get("type") == "poll":
        raw["trigger"] = {"type": "webhook"}
        raw["steps"] = [s for s in raw["steps"] if s.get("action") != "rss.new_items"] or raw[
            "steps"
        ]
