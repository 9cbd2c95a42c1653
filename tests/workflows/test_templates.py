"""The template library: every template instantiates into a valid spec using real actions."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from workflows.catalog import (
    Template,
    TemplateCatalog,
    TemplateParamsError,
    UnknownTemplateError,
    parse_template,
    placeholders,
)
from workflows.expressions import check_template, evaluate, render_value
from workflows.spec import CATEGORIES, WorkflowSpec

CATALOG = TemplateCatalog.load()
TEMPLATE_IDS = CATALOG.ids()
REQUIRED_IDS = {
    "lead-capture-crm": "webhook",
    "email-auto-responder": "email",
    "weekly-analytics-report": "schedule",
    "crm-two-way-sync": "webhook",
    "slack-alert-notifications": "webhook",
    "invoice-follow-up": "schedule",
    "customer-onboarding": "webhook",
    "social-media-monitor": "poll",
}


# Input names from docs/actions.md, used only until every integration module has landed.
_DOCUMENTED_INPUTS = {
    "slack.post_message": "channel text blocks",
    "email.send": "to subject text html cc reply_to in_reply_to",
    "email.send_bulk": "segment subject text",
    "http.request": "method url headers json body timeout_seconds",
    "crm.upsert_contact": "email name company phone stage source fields",
    "crm.find_contacts": "query stage source created_within limit",
    "crm.update_contact": "email stage fields note",
    "crm.delete_contacts": "inactive_for stage",
    "report.build": "period title workflow_id",
    "rss.new_items": "url keywords",
    "ai.categorize": "text labels fallback",
    "ai.summarize": "text max_sentences",
    "ai.draft_reply": "message label templates tone",
    "ai.extract": "text fields",
    "stripe.list_invoices": "status overdue_days limit",
    "stripe.get_customer": "customer_id",
    "stripe.summarize_payments": "period",
    "stripe.update_customer": "customer_id metadata",
    "stripe.update_subscription": "subscription_id price",
    "stripe.cancel_subscription": "subscription_id at_period_end",
    "sheets.append_row": "spreadsheet sheet values",
    "sheets.read_rows": "spreadsheet sheet limit",
    "sheets.update_row": "spreadsheet sheet match values",
}


def _action_inputs() -> dict[str, set[str]]:
    """Input field names of every registered action."""
    try:
        from integrations.catalog import default_registry
    except ImportError:
        return {name: set(inputs.split()) for name, inputs in _DOCUMENTED_INPUTS.items()}
    return {
        a.name: {f.alias or n for n, f in a.input_model.model_fields.items()}
        for a in default_registry().actions()
    }


def _literal_input_errors(template_id: str) -> list[str]:
    """Errors the real input models find in inputs that are not run-time templates."""
    try:
        from integrations.catalog import default_registry
    except ImportError:
        return []
    spec = CATALOG.instantiate(template_id, _required(template_id))
    problems = []
    for step in spec.steps:
        if step.action is None:
            continue
        model = default_registry().get(step.action).input_model
        literal = {k: v for k, v in step.inputs.items() if "{{" not in str(v)}
        try:
            model.model_validate(literal)
        except ValidationError as exc:
            problems += [f"{step.id}: {e}" for e in exc.errors() if e["type"] != "missing"]
    return problems


def _required(template_id: str) -> dict[str, Any]:
    """The examples of a template's required parameters (every one must have an example)."""
    template = CATALOG.get(template_id)
    return {n: p.example for n, p in template.parameters.items() if p.required}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _step(spec: WorkflowSpec, step_id: str) -> Any:
    return next(s for s in spec.steps if s.id == step_id)


def test_catalog_size_and_categories() -> None:
    counts = CATALOG.categories()
    assert set(counts) == set(CATEGORIES)
    assert all(n >= 3 for n in counts.values()), counts
    assert sum(counts.values()) == len(CATALOG) >= 25


def test_file_names_are_ids() -> None:
    names = [
        e.name for e in resources.files("workflows.templates").iterdir() if e.name.endswith(".yaml")
    ]
    assert sorted(n.removesuffix(".yaml") for n in names) == TEMPLATE_IDS


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_template_instantiates_with_defaults(template_id: str) -> None:
    template = CATALOG.get(template_id)
    assert template.tags and template.description.count(".") <= 2
    for name, param in template.parameters.items():
        assert name in placeholders(template.spec), f"parameter {name} is never used"
        assert not param.required or param.example is not None, f"{name} needs an example"
    spec = CATALOG.instantiate(template_id, _required(template_id))
    assert spec.category == template.category and spec.name == template.name
    for text in _strings(spec.model_dump()):
        assert "${" not in text
        check_template(text)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_template_uses_real_actions_and_inputs(template_id: str) -> None:
    known = _action_inputs()
    spec = CATALOG.instantiate(template_id, _required(template_id))
    for step in spec.steps:
        if step.action is None:
            continue
        assert step.action in known, f"{step.id}: unknown action {step.action}"
        extra = set(step.inputs) - known[step.action]
        assert not extra, f"{step.id}: {step.action} has no input {sorted(extra)}"
    assert _literal_input_errors(template_id) == []


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_examples_instantiate(template_id: str) -> None:
    template = CATALOG.get(template_id)
    examples = {n: p.example for n, p in template.parameters.items() if p.example is not None}
    assert isinstance(template.instantiate(examples), WorkflowSpec)


@pytest.mark.parametrize(("template_id", "trigger_type"), sorted(REQUIRED_IDS.items()))
def test_required_templates_have_their_trigger(template_id: str, trigger_type: str) -> None:
    spec = CATALOG.instantiate(template_id, _required(template_id))
    assert spec.trigger.type == trigger_type


def test_required_template_shapes() -> None:
    lead = CATALOG.instantiate("lead-capture-crm", {})
    assert lead.actions() == ["crm.upsert_contact", "slack.post_message"]

    weekly = CATALOG.instantiate("weekly-analytics-report", {"timezone": "Europe/London"})
    assert weekly.trigger.model_dump() == {
        "type": "schedule",
        "cron": "0 9 * * 1",
        "timezone": "Europe/London",
    }
    assert _step(weekly, "report").inputs["period"] == "7 days"
    assert _step(weekly, "post").inputs["text"] == "{{ steps.report.text }}"
    email = _step(weekly, "email")
    assert email.inputs["to"] == "member:owners"
    assert evaluate(email.when, {}) is False
    on = CATALOG.instantiate("weekly-analytics-report", {"email_owners": True})
    assert evaluate(_step(on, "email").when, {}) is True

    onboarding = CATALOG.instantiate("customer-onboarding", _required("customer-onboarding"))
    kinds = [s.wait or s.action for s in onboarding.steps]
    waits = [s.wait for s in onboarding.steps if s.wait]
    emails = [s for s in onboarding.steps if s.action == "email.send"]
    assert kinds[0] == "email.send" and waits == ["2 days", "3 days", "9 days"]
    assert len(emails) == 4 and kinds[-1] == "email.send"
    assert all(e.inputs["to"] == "{{ trigger.email }}" for e in emails)

    invoices = CATALOG.instantiate("invoice-follow-up", _required("invoice-follow-up"))
    assert invoices.actions() == ["stripe.invoice_reminders", "slack.post_message"]

    monitor = CATALOG.instantiate(
        "social-media-monitor", {"feed_url": "https://a.example/rss", "keywords": ["acme"]}
    )
    assert monitor.trigger.model_dump() == {
        "type": "poll",
        "url": "https://a.example/rss",
        "interval_seconds": 900,
    }
    assert _step(monitor, "mentions").inputs == {
        "keywords": ["acme"],
        "sources": ["reddit", "hackernews", "mastodon", "bluesky"],
        "feeds": ["https://a.example/rss"],
    }


def test_auto_responder_replies_in_thread_except_human_only() -> None:
    spec = CATALOG.instantiate("email-auto-responder", {"human_only": ["legal"]})
    assert spec.actions() == ["ai.categorize", "ai.draft_reply", "email.send", "slack.post_message"]
    reply = _step(spec, "reply")
    trigger = {"from": "ann@shop.example", "subject": "Opening hours", "message_id": "<m1@x>"}
    context = {"trigger": trigger, "steps": {"draft": {"reply": "We open at 9."}}}
    rendered = render_value(reply.inputs, context)
    assert rendered["to"] == "ann@shop.example"
    assert rendered["in_reply_to"] == "<m1@x>"
    assert rendered["subject"] == "Re: Opening hours"
    assert rendered["text"] == "We open at 9."
    for label, replied in (("legal", False), ("question", True)):
        ctx = {"steps": {"categorize": {"label": label}}}
        assert evaluate(reply.when or "", ctx) is replied
        assert evaluate(_step(spec, "draft").when or "", ctx) is replied
        assert evaluate(_step(spec, "flag").when or "", ctx) is not replied


def test_whole_placeholder_keeps_type() -> None:
    spec = CATALOG.instantiate(
        "invoice-follow-up", {"business_name": "Acme", "escalate_after_days": 21}
    )
    days = _step(spec, "remind").inputs["escalate_after_days"]
    assert days == 21 and type(days) is int
    monitor = CATALOG.instantiate(
        "social-media-monitor",
        {"feed_url": "https://a.example/rss", "keywords": ["acme", "widgets"]},
    )
    assert _step(monitor, "mentions").inputs["keywords"] == ["acme", "widgets"]
    assert monitor.trigger.model_dump()["interval_seconds"] == 900


def test_threshold_stays_a_number_and_alerts_follow_the_crossing() -> None:
    # The alert fires on the check that crosses the threshold (alert.crossed), not on every
    # value over it; the threshold reaches that check as a number.
    spec = CATALOG.instantiate("slack-alert-notifications", {"threshold": 250})
    threshold = _step(spec, "check").inputs["threshold"]
    assert threshold == 250 and type(threshold) is int
    alert, recovered = _step(spec, "alert"), _step(spec, "recovered")
    assert alert.when is not None and recovered.when is not None
    crossing = {"steps": {"check": {"crossed": True, "recovered": False}}}
    staying = {"steps": {"check": {"crossed": False, "recovered": False}}}
    back = {"steps": {"check": {"crossed": False, "recovered": True}}}
    assert evaluate(alert.when, crossing) is True
    assert evaluate(alert.when, staying) is False
    assert evaluate(recovered.when, back) is False  # recovery posts are off by default
    loud = CATALOG.instantiate("slack-alert-notifications", {"notify_recovery": True})
    assert evaluate(_step(loud, "recovered").when or "", back) is True
    assert evaluate(_step(loud, "recovered").when or "", staying) is False


def test_jinja_survives_instantiation_untouched() -> None:
    template = CATALOG.get("email-auto-responder")
    spec = template.instantiate({})
    raw_steps = {s["id"]: s for s in template.spec["steps"]}
    assert _step(spec, "reply").inputs == raw_steps["reply"]["inputs"]
    assert _step(spec, "draft").inputs["message"] == "{{ trigger.text }}"


def _toy(spec: dict[str, Any], **parameters: dict[str, Any]) -> Template:
    return Template.model_validate(
        {
            "id": "toy",
            "name": "Toy",
            "category": "notifications",
            "description": "A toy.",
            "parameters": parameters,
            "spec": spec,
        }
    )


def test_substitution_types_and_text() -> None:
    toy = _toy(
        {
            "trigger": {"type": "interval", "seconds": "${every}"},
            "steps": [
                {
                    "id": "post",
                    "action": "slack.post_message",
                    "when": "trigger.n > ${limit} and trigger.tag in ${tags} and ${loud}",
                    "inputs": {
                        "channel": "${channel}",
                        "text": "over ${limit} in ${channel}: {{ trigger.n }}",
                        "blocks": "${blocks}",
                    },
                }
            ],
        },
        every={"description": "d", "type": "integer", "default": 60},
        limit={"description": "d", "type": "number", "default": 2.5},
        tags={"description": "d", "type": "list", "default": ["a", "b"]},
        loud={"description": "d", "type": "boolean", "default": True},
        channel={"description": "d", "type": "string", "default": "#ops"},
        blocks={"description": "d", "type": "list", "default": None},
    )
    spec = toy.instantiate({})
    step = spec.steps[0]
    assert spec.trigger.model_dump() == {"type": "interval", "seconds": 60}
    assert step.when == 'trigger.n > 2.5 and trigger.tag in ["a", "b"] and true'
    assert step.inputs == {
        "channel": "#ops",
        "text": "over 2.5 in #ops: {{ trigger.n }}",
        "blocks": None,
    }
    assert evaluate(step.when, {"trigger": {"n": 3, "tag": "b"}}) is True
    assert toy.instantiate({"every": 5}).trigger.model_dump()["seconds"] == 5


def test_unknown_template_suggests_close_ids() -> None:
    with pytest.raises(UnknownTemplateError) as caught:
        CATALOG.get("lead-capture")
    assert isinstance(caught.value, KeyError)
    assert "lead-capture-crm" in str(caught.value)
    with pytest.raises(KeyError, match="weekly-analytics-report"):
        CATALOG.instantiate("weekly-analytic-report", {})


@pytest.mark.parametrize(
    ("template_id", "params", "named"),
    [
        ("slack-alert-notifications", {"treshold": 5}, "treshold"),
        ("customer-onboarding", {"business_name": "Acme"}, "help_url"),
        ("slack-alert-notifications", {"threshold": "500"}, "threshold"),
        ("slack-alert-notifications", {"threshold": True}, "threshold"),
        ("slack-alert-notifications", {"threshold": 2.5}, "threshold"),
        ("social-media-monitor", {"feed_url": "https://a.example", "keywords": "a"}, "keywords"),
        ("weekly-analytics-report", {"email_owners": "yes"}, "email_owners"),
        ("weekly-analytics-report", {"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ("social-media-monitor", {"feed_url": "ftp://a.example", "keywords": ["a"]}, "feed_url"),
        ("social-media-monitor", {"feed_url": "https://a.example"}, "keywords"),
    ],
)
def test_bad_params_name_the_parameter(
    template_id: str, params: dict[str, Any], named: str
) -> None:
    with pytest.raises(TemplateParamsError, match=f"'{named}'") as caught:
        CATALOG.instantiate(template_id, params)
    assert isinstance(caught.value, ValueError)


def test_list_filters_by_category_and_query() -> None:
    reporting = CATALOG.list(category="reporting")
    assert reporting and {t.category for t in reporting} == {"reporting"}
    assert len(CATALOG.list()) == len(CATALOG)
    assert "lead-capture-crm" in [t.id for t in CATALOG.list(query="Typeform")]
    assert [t.id for t in CATALOG.list(query="overdue stripe")] == ["invoice-follow-up"]
    weekly = [t.id for t in CATALOG.list(category="reporting", query="weekly")]
    assert "weekly-analytics-report" in weekly and "daily-sales-summary" not in weekly
    assert CATALOG.list(query="zzz-no-such-thing") == []
    with pytest.raises(ValueError, match="unknown category"):
        CATALOG.list(category="marketing")


def test_load_is_cached_and_ids_unique() -> None:
    assert TemplateCatalog.load().get("lead-capture-crm") is CATALOG.get("lead-capture-crm")
    with pytest.raises(ValueError, match="twice"):
        TemplateCatalog([CATALOG.get("lead-capture-crm")] * 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spec": {"trigger": {"type": "manual"}, "steps": "${nope}"}}, "nope"),
        ({"parameters": {"x": {"description": "d", "type": "string"}}}, "default"),
        ({"parameters": {"x": {"description": "d", "type": "integer", "default": "1"}}}, "type"),
        ({"id": "Not A Slug"}, "id"),
    ],
)
def test_malformed_templates_are_rejected(change: dict[str, Any], message: str) -> None:
    data = {**CATALOG.get("team-standup-reminder").model_dump(), **change}
    with pytest.raises(ValueError, match=message):
        Template.model_validate(data)


def test_file_id_must_match_name() -> None:
    text = "id: other\nname: N\ncategory: reporting\ndescription: D.\nspec: {}\n"
    with pytest.raises(ValueError, match="file name"):
        parse_template("mine.yaml", text)


def test_no_template_needs_owner_confirmation() -> None:
    registry = pytest.importorskip("integrations.catalog", exc_type=ImportError).default_registry()
    from workflows.policy import assess

    classes = {
        tid: assess(CATALOG.instantiate(tid, _required(tid)), registry).approval_class
        for tid in TEMPLATE_IDS
    }
    assert "C" not in classes.values()
    assert classes["weekly-analytics-report"] == "A"
    assert classes["lead-capture-crm"] == "B"
