"""Inbound email: one payload from MIME or provider fields, loop guards, matching, reply limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Run, Workspace
from storage.scope import Tenant
from tests.conftest import make_settings
from tests.workflows.helpers import activate
from workflows.spec import EmailTrigger
from workflows.triggers.email import (
    InboundEmail,
    idempotency_key,
    legacy_webhook_secret,
    loop_guard,
    parse_fields,
    parse_mime,
    receive,
    regenerate_webhook_secret,
    trigger_matches,
    webhook_secret,
    workspace_address,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "email"
PAYLOAD_KEYS = {
    "from", "from_name", "to", "cc", "subject", "text", "html", "message_id", "in_reply_to",
    "references", "headers", "received_at",
}  # fmt: skip
TRIAGE = {
    "name": "Support triage",
    "trigger": {"type": "email", "address": "support@"},
    "steps": [
        {
            "id": "categorize",
            "action": "ai.categorize",
            "inputs": {"text": "{{ trigger.subject }} {{ trigger.text }}", "labels": ["order"]},
        },
        {
            "id": "post",
            "action": "slack.post_message",
            "inputs": {"channel": "#support", "text": "{{ trigger.from }}: {{ trigger.subject }}"},
        },
    ],
}


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def question(**headers: str) -> InboundEmail:
    """The support question fixture, with extra or replaced headers."""
    raw = fixture("support_question").decode()
    head, _, body = raw.partition("\n\n")
    replaced = {k.replace("_", "-"): v for k, v in headers.items()}
    lower = {k.lower() for k in replaced}
    lines = [ln for ln in head.splitlines() if ln.split(":")[0].lower() not in lower]
    lines += [f"{k}: {v}" for k, v in replaced.items()]
    return parse_mime("\n".join([*lines, "", body]).encode(), ["support@acme.levqor.localhost"])


def comparable(mail: InboundEmail) -> dict[str, Any]:
    return {k: v for k, v in mail.payload.items() if k != "received_at"}


def test_mime_becomes_the_trigger_payload() -> None:
    mail = parse_mime(fixture("support_question"), ["support@acme.levqor.localhost"], "dana@x.com")
    assert set(mail.payload) == PAYLOAD_KEYS
    assert mail.payload["from"] == "dana@example.com"
    assert mail.payload["from_name"] == "Dana Lee"
    assert mail.payload["to"] == ["support@acme.levqor.localhost"]
    assert mail.payload["cc"] == ["ops@example.com"]
    assert mail.payload["subject"] == "Where is my order #1234?"
    assert "has not arrived yet" in mail.payload["text"]
    assert mail.payload["html"].startswith("<p>Hi")
    assert mail.payload["message_id"] == "<order-1234-question@mail.example.com>"
    assert mail.payload["headers"]["Reply-To"] == "dana@example.com"
    assert "Content-Type" not in mail.payload["headers"]
    assert mail.envelope_from == "dana@x.com"
    json.dumps(mail.payload)  # stored as JSON


def test_provider_fields_give_the_same_payload_as_mime() -> None:
    mime = parse_mime(fixture("support_question"))
    text, html = mime.payload["text"], mime.payload["html"]
    generic_json = {
        "from": "Dana Lee <Dana@Example.com>",
        "to": ["support@acme.levqor.localhost"],
        "cc": "ops@example.com",
        "subject": "Where is my order #1234?",
        "text": text,
        "html": html,
        "headers": {
            "Message-ID": "<order-1234-question@mail.example.com>",
            "Date": "Mon, 02 Jun 2025 09:15:00 +0000",
            "Reply-To": "dana@example.com",
            "Return-Path": "<dana@example.com>",
        },
    }
    mailgun_form = {
        "sender": "dana@example.com",
        "recipient": "support@acme.levqor.localhost",
        "from": "Dana Lee <Dana@Example.com>",
        "To": "Acme Support <support@acme.levqor.localhost>",
        "Cc": "ops@example.com",
        "subject": "Where is my order #1234?",
        "body-plain": text,
        "body-html": html,
        "Message-Id": "<order-1234-question@mail.example.com>",
        "message-headers": json.dumps(
            [
                ["Date", "Mon, 02 Jun 2025 09:15:00 +0000"],
                ["Reply-To", "dana@example.com"],
                ["Return-Path", "<dana@example.com>"],
            ]
        ),
    }
    sendgrid_form = {
        "from": "Dana Lee <Dana@Example.com>",
        "to": "support@acme.levqor.localhost",
        "cc": "ops@example.com",
        "subject": "Where is my order #1234?",
        "text": text,
        "html": html,
        "headers": fixture("support_question").decode().partition("\n\n")[0],
        "envelope": json.dumps({"to": ["support@acme.levqor.localhost"], "from": "dana@x.com"}),
    }
    postmark_json = {
        "From": "Dana@Example.com",
        "FromName": "Dana Lee",
        "To": "support@acme.levqor.localhost",
        "Cc": "ops@example.com",
        "Subject": "Where is my order #1234?",
        "TextBody": text,
        "HtmlBody": html,
        "MessageID": "<order-1234-question@mail.example.com>",
        "Headers": [
            {"Name": "Date", "Value": "Mon, 02 Jun 2025 09:15:00 +0000"},
            {"Name": "Reply-To", "Value": "dana@example.com"},
            {"Name": "Return-Path", "Value": "<dana@example.com>"},
        ],
    }
    for fields in (generic_json, mailgun_form, sendgrid_form, postmark_json):
        assert comparable(parse_fields(fields)) == comparable(mime), fields
    raw_mode = {
        "email": fixture("support_question").decode(),
        "envelope": sendgrid_form["envelope"],
    }
    assert comparable(parse_fields(raw_mode)) == comparable(mime)
    assert parse_fields(raw_mode).envelope_from == "dana@x.com"
    assert parse_fields(mailgun_form).envelope_from == "dana@example.com"
    assert parse_fields(sendgrid_form).recipients[0] == "support@acme.levqor.localhost"


def test_without_a_from_header_the_envelope_sender_is_the_sender() -> None:
    mail = parse_mime(b"Subject: hi\r\n\r\nhello", ["a@acme.levqor.localhost"], "Bo@Example.com")
    assert mail.payload["from"] == "bo@example.com"
    assert parse_mime(b"Subject: hi\r\n\r\nhello", [], "<>").payload["from"] == ""


def test_html_only_mail_still_has_text() -> None:
    mail = parse_fields(
        {"from": "a@b.com", "html": "<style>p{}</style><p>Hello&nbsp;there</p><p>Bye</p>"}
    )
    assert mail.payload["text"] == "Hello\xa0there\nBye"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted"),
        ({"Auto-Submitted": "auto-generated; owner-email=x@y"}, "Auto-Submitted"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Precedence": "list"}, "Precedence: list"),
        ({"Precedence": "junk"}, "Precedence: junk"),
        ({"Precedence": "auto_reply"}, "Precedence: auto_reply"),
        ({"List-Id": "<news.example.com>"}, "List-Id"),
        ({"List-Unsubscribe": "<mailto:u@example.com>"}, "List-Unsubscribe"),
        ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress"),
        ({"From": "no-reply@shop.example"}, "no-reply"),
        ({"From": "noreply@shop.example"}, "no-reply"),
        ({"From": "MAILER-DAEMON@mx.example"}, "no-reply"),
        ({"From": "postmaster@mx.example"}, "no-reply"),
        ({"From": "bot@other.levqor.localhost"}, "Levqor address"),
        ({"From": "levqor@localhost"}, "Levqor address"),
    ],
)
def test_loop_guards(headers: dict[str, str], reason: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert loop_guard(question(), settings) is None
    assert loop_guard(question(Auto_Submitted="no"), settings) is None
    found = loop_guard(question(**headers), settings)
    assert found is not None and reason in found


def test_a_bounce_with_an_empty_envelope_sender_is_guarded(tmp_path: Path) -> None:
    for null_sender in ("", "<>"):  # aiosmtpd reports `MAIL FROM:<>` as "<>"
        bounce = parse_mime(fixture("support_question"), [], envelope_from=null_sender)
        assert "bounce" in (loop_guard(bounce, make_settings(tmp_path)) or "")


def test_workspace_addresses() -> None:
    assert workspace_address("Support@Acme.levqor.localhost", "levqor.localhost") == (
        "support",
        "acme",
    )
    assert workspace_address("<a@acme.mail.example.com>", "mail.example.com") == ("a", "acme")
    for other in ("a@levqor.localhost", "a@x.acme.levqor.localhost", "a@acme.example", "acme"):
        assert workspace_address(other, "levqor.localhost") is None


@pytest.mark.parametrize(
    ("address", "subject", "matches"),
    [
        (None, None, True),
        ("support@", None, True),
        ("support", None, True),
        ("SUPPORT@acme.levqor.localhost", None, True),
        ("ops@example.com", None, True),
        ("sales@", None, False),
        ("support@other.levqor.localhost", None, False),
        (None, "ORDER #1234", True),
        ("support", "refund", False),
    ],
)
def test_trigger_matching(address: str | None, subject: str | None, matches: bool) -> None:
    trigger = EmailTrigger(address=address, subject_contains=subject)
    assert trigger_matches(trigger, question()) is matches


def test_idempotency_key_is_the_message_id_or_a_digest() -> None:
    assert idempotency_key(question().payload) == "email:order-1234-question@mail.example.com"
    no_id = parse_fields({"from": "a@b.com", "subject": "hi", "text": "x"}).payload
    assert idempotency_key(no_id).startswith("email:sha256:")
    assert idempotency_key(no_id) == idempotency_key(dict(no_id, received_at="later"))
    assert len(idempotency_key({"message_id": "<" + "x" * 300 + ">"})) <= 200


def test_webhook_secret_is_stored_per_workspace_and_survives_a_key_rotation(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    rotated = make_settings(tmp_path, LEVQOR_SECRET_KEY="another-key")
    one, two = Workspace(slug="one", name="One"), Workspace(slug="two", name="Two")
    assert webhook_secret(settings, one) != webhook_secret(settings, two)
    assert webhook_secret(rotated, one) == webhook_secret(settings, one)
    old = Workspace(id="ws1", slug="old", name="Old", inbound_secret=None)  # a row from before
    pinned = webhook_secret(settings, old)
    assert pinned == legacy_webhook_secret(settings, "ws1") and old.inbound_secret == pinned
    assert webhook_secret(rotated, old) == pinned
    assert regenerate_webhook_secret(old) != pinned and webhook_secret(settings, old) != pinned


async def started(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, ws: Workspace, mail: Any
) -> tuple[list[str], str | None]:
    async with sessions() as session:
        result = await receive(Tenant(session, ws.id), settings, mail)
    return result.new_run_ids, result.reason()


async def test_message_id_dedupe_and_per_sender_reply_limit(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = await activate(sessions, workspace, TRIAGE, default_registry())
    first, _ = await started(sessions, settings, workspace, question())
    assert len(first) == 1
    again, reason = await started(sessions, settings, workspace, question())
    assert again == [] and "duplicate" in (reason or "")
    for n in range(2, settings.reply_limit_per_hour + 1):
        runs, _ = await started(sessions, settings, workspace, question(Message_ID=f"<m{n}@x>"))
        assert len(runs) == 1
    over, reason = await started(sessions, settings, workspace, question(Message_ID="<m99@x>"))
    assert over == [] and "reply limit" in (reason or "")
    other_sender = question(From="Eve <eve@example.com>", Message_ID="<eve@x>")
    assert len((await started(sessions, settings, workspace, other_sender))[0]) == 1
    async with sessions() as session:
        rows = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).all()
    assert len(rows) == settings.reply_limit_per_hour + 1
    assert {r.trigger_type for r in rows} == {"email"}


async def test_guarded_or_unmatched_mail_starts_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await activate(sessions, workspace, TRIAGE, default_registry())
    runs, reason = await started(sessions, settings, workspace, parse_mime(fixture("newsletter")))
    assert runs == [] and "bulk" in (reason or "")
    to_sales = parse_mime(fixture("support_question").replace(b"support@", b"sales@"))
    runs, reason = await started(sessions, settings, workspace, to_sales)
    assert runs == [] and "no active workflow" in (reason or "")
    async with sessions() as session:
        assert (await session.exec(select(Run))).all() == []
