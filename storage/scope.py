"""Tenant scoping: the one place every workspace-owned query is filtered by `workspace_id`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T", bound=SQLModel)


class Tenant:
    """A session bound to one workspace: reads are filtered, writes are stamped."""

    def __init__(self, session: AsyncSession, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def select(self, model: type[T]) -> SelectOfScalar[T]:
        """`SELECT model WHERE workspace_id = this workspace`."""
        column: Any = model.workspace_id  # type: ignore[attr-defined]
        return select(model).where(column == self.workspace_id)

    async def get(self, model: type[T], row_id: object) -> T | None:
        """The row with this primary key, if it belongs to this workspace."""
        row = await self.session.get(model, row_id)
        if row is None or getattr(row, "workspace_id", None) != self.workspace_id:
            return None
        return row

    async def all(self, query: SelectOfScalar[T]) -> Sequence[T]:
        """Run a query built from `select()` and return every row."""
        return (await self.session.exec(query)).all()

    async def first(self, query: SelectOfScalar[T]) -> T | None:
        """Run a query built from `select()` and return the first row or None."""
        return (await self.session.exec(query)).first()

    async def count(self, query: SelectOfScalar[Any]) -> int:
        """Count the rows a query built from `select()` would return."""
        counted = select(func.count()).select_from(query.subquery())
        return int((await self.session.exec(counted)).one())

    def add(self, row: T) -> T:
        """Stamp `row` with this workspace and add it to the session."""
        row.workspace_id = self.workspace_id
        self.session.add(row)
        return row
