"""The expression sandbox: one tenant's template cannot stall the process or fill its memory."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from workflows.expressions import (
    ExpressionError,
    check_expression,
    check_template,
    evaluate,
    render_value,
)
from workflows.sandbox import LimitExceeded, budget
from workflows.spec import WorkflowSpec


def _quickly(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


def test_compiling_a_huge_constant_power_fails_at_once() -> None:
    deadline = _quickly()
    with pytest.raises(ExpressionError, match="number larger"):
        check_expression("9**(9**8) > 1")
    with pytest.raises(ExpressionError, match="number larger"):
        check_template("Total: {{ 9**(9**8) }}")
    assert time.monotonic() < deadline


def test_a_spec_with_a_huge_condition_is_refused_naming_the_step() -> None:
    spec = {
        "name": "Freeze",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "boom", "action": "slack.post_message", "when": "9**(9**8) > 1", "inputs": {}}
        ],
    }
    deadline = _quickly()
    with pytest.raises(ValidationError, match="step 'boom'"):
        WorkflowSpec.model_validate(spec)
    assert time.monotonic() < deadline


def test_a_spec_with_a_huge_input_template_is_refused() -> None:
    spec = {
        "name": "Fill memory",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "post",
                "action": "slack.post_message",
                "inputs": {"channel": "#a", "text": "{{ 'x' * 10**10 }}"},
            }
        ],
    }
    with pytest.raises(ValidationError, match=r"step 'post'.*inputs.text"):
        WorkflowSpec.model_validate(spec)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ trigger.n ** trigger.n }}", "number larger"),
        ("{{ 'x' * trigger.n }}", "repeats"),
        ("{{ [1] * trigger.n }}", "repeats"),
        ("{{ '%0999999999d' % 1 }}", "width"),
        ("{{ '{:>999999999}'.format(1) }}", "width"),
        ("{{ 'x' | center(999999999) }}", "center"),
        ("{{ 'ab'.ljust(10**9) }}", "pads"),
        ("{{ range(100000) | join('x' * 100000) }}", "joins"),
        ("{{ ('x' * 100000) | replace('x', 'x' * 1000) }}", "replaces"),
        ("{% for a in range(10**5) %}{% for b in range(10**5) %}{% endfor %}{% endfor %}", "loops"),
        (
            "{% macro f(n) %}{{ f(n-1) if n }}{{ f(n-1) if n }}{% endmacro %}{{ f(60) }}",
            "calls|longer",
        ),
        ("{% set s = 'x' * 100000 %}{{ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s }}", "longer"),
        ("{% for x in range(100000) %}{{ 'y' * 1000 }}{% endfor %}", "longer"),
    ],
)
def test_runaway_templates_fail_quickly_with_a_reason(source: str, reason: str) -> None:
    deadline = _quickly()
    with pytest.raises(ExpressionError, match=reason):
        render_value({"text": source}, {"trigger": {"n": 10**8}})
    assert time.monotonic() < deadline


def test_a_runaway_condition_fails_quickly() -> None:
    deadline = _quickly()
    with pytest.raises(ExpressionError, match="number larger"):
        evaluate("trigger.n ** trigger.n > 1", {"trigger": {"n": 10**8}})
    assert time.monotonic() < deadline


def test_ordinary_templates_still_work() -> None:
    context = {"trigger": {"amount": 1234.5, "tags": ["a", "b", "c"], "n": 7}}
    rendered = render_value(
        {
            "money": "{{ trigger.amount | money('$') }}",
            "list": "{% for i in trigger.tags %}{{ loop.index }}={{ i }} {% endfor %}",
            "joined": "{{ trigger.tags | join(', ') }}",
            "maths": "{{ trigger.n ** 2 + 10**20 }}",
            "fmt": "{{ '{:,.2f}'.format(trigger.amount) }} {{ '%05.1f' % trigger.amount }}",
            "concat": "{{ trigger.tags[0] ~ '-' ~ trigger.n }}",
            "typed": "{{ trigger.tags }}",
        },
        context,
    )
    assert rendered == {
        "money": "$1,234.50",
        "list": "1=a 2=b 3=c ",
        "joined": "a, b, c",
        "maths": 49 + 10**20,
        "fmt": "1,234.50 1234.5",
        "concat": "a-7",
        "typed": ["a", "b", "c"],
    }
    assert evaluate("trigger.amount > 1000 and 'b' in trigger.tags", context) is True


def test_time_spent_waiting_for_the_cores_is_not_charged_to_a_render() -> None:
    """On a busy machine a render waits for a core; only the time it computes counts."""
    with budget(0.2) as spent:
        time.sleep(0.3)  # waiting, as a thread does while others hold the cores
        spent.tick()
        assert render_value("{{ a + b }}", {"a": 1, "b": 2}) == 3


def test_a_render_that_computes_past_its_time_is_stopped() -> None:
    with budget(0.05) as spent, pytest.raises(LimitExceeded, match="longer than"):
        while True:
            sum(range(10_000))
            spent.tick()
