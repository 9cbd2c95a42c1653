"""Table rows built quickly for the hot path: rows only Core statements write and read back.

`Model(**values)` on a SQLModel table class sets each column through SQLAlchemy's and pydantic's
attribute machinery and, for each column left out, asks pydantic whether its default factory
wants the validated data (an `inspect.signature` per field, per row). `row_of` builds the same
object — SQLAlchemy state, pydantic's private attributes, every column set, defaults and default
factories for the columns not given — in a fraction of that time. Nothing is validated, as with
`Model(**values)` on a table class. Later changes (`row.status = ...`) go through the usual
`__setattr__`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)
_Defaults = tuple[tuple[str, Any, Callable[[], Any] | None], ...]
_plans: dict[type[SQLModel], _Defaults] = {}


def _defaults(model: type[SQLModel]) -> _Defaults:
    plan = _plans.get(model)
    if plan is None:
        plan = tuple(
            (name, field.default, field.default_factory)  # type: ignore[misc]
            for name, field in model.model_fields.items()
            if field.default_factory is not None or field.default is not PydanticUndefined
        )
        _plans[model] = plan
    return plan


def row_of(model: type[M], values: dict[str, Any]) -> M:
    """`model(**values)` for a table class, without its per-field construction cost."""
    row: M = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    data = dict(values)
    for name, default, factory in _defaults(model):
        if name not in data:
            data[name] = factory() if factory is not None else default
    row.__dict__.update(data)
    object.__setattr__(row, "__pydantic_fields_set__", set(values))
    return row
