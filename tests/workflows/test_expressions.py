"""Sandboxed templating: values render, types survive, user code cannot escape."""

from __future__ import annotations

import pytest

from workflows.expressions import ExpressionError, evaluate, render_value

CONTEXT = {
    "trigger": {"email": "ann@example.com", "amount": 1200, "tags": ["a", "b"]},
    "steps": {"report": {"text": "12 runs", "figures": {"runs": 12}}},
}


def test_render_keeps_types_for_a_lone_expression() -> None:
    rendered = render_value(
        {
            "to": "{{ trigger.email }}",
            "n": "{{ steps.report.figures.runs }}",
            "tags": "{{ trigger.tags }}",
        },
        CONTEXT,
    )
    assert rendered == {"to": "ann@example.com", "n": 12, "tags": ["a", "b"]}


def test_render_text_with_several_expressions() -> None:
    assert render_value("{{ trigger.email }} spent {{ trigger.amount }}", CONTEXT) == (
        "ann@example.com spent 1200"
    )


def test_conditions() -> None:
    assert evaluate("trigger.amount > 1000", CONTEXT) is True
    assert evaluate("trigger.amount > 5000", CONTEXT) is False
    assert evaluate("trigger.missing", CONTEXT) is False


def test_missing_value_in_text_is_a_clear_error() -> None:
    with pytest.raises(ExpressionError, match="failed"):
        render_value("Hello {{ trigger.nobody.name }}", CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ trigger.__class__.__init__.__globals__ }}",
    ],
)
def test_sandbox_blocks_attribute_escapes(source: str) -> None:
    with pytest.raises(ExpressionError):
        render_value(source, CONTEXT)
