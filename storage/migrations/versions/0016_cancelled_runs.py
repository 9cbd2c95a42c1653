"""cancelled runs

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 15:50:00

A run can end `cancelled` (its workspace deleted, or the agency that asked for it unlinked). On
PostgreSQL the run status is the native enum type `runstatus`: it gains the value. SQLite stores
the status as text, so nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE runstatus ADD VALUE IF NOT EXISTS 'cancelled'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE run SET status = 'failed' WHERE status = 'cancelled'")
        op.execute("ALTER TYPE runstatus RENAME TO runstatus_old")
        op.execute(
            "CREATE TYPE runstatus AS ENUM ('queued', 'running', 'waiting', 'succeeded', 'failed')"
        )
        op.execute(
            "ALTER TABLE run ALTER COLUMN status TYPE runstatus USING status::text::runstatus"
        )
        op.execute("DROP TYPE runstatus_old")
