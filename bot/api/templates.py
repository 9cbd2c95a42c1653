"""Template routes: the library by category, and one template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.api.responses import errors
from workflows.catalog import TemplateCatalog, UnknownTemplateError
from workflows.errors import NotFound
from workflows.spec import Category

router = APIRouter(prefix="/api/templates", tags=["templates"], responses=errors(404, 422))


@router.get("")
async def list_templates(
    category: Category | None = None, q: str | None = None
) -> list[dict[str, Any]]:
    """Templates, optionally one category's or matching a search."""
    catalog = TemplateCatalog.load()
    return [t.model_dump(mode="json") for t in catalog.list(category=category, query=q)]


@router.get("/{template_id}")
async def read_template(template_id: str) -> dict[str, Any]:
    """One template with its parameters and spec."""
    try:
        return TemplateCatalog.load().get(template_id).model_dump(mode="json")
    except UnknownTemplateError as exc:
        raise NotFound(str(exc)) from None
