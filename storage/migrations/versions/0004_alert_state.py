"""alert state: per-workflow threshold crossings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 23:58:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_state",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("workspace_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("workflow_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("over", sa.Boolean(), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("previous_value", sa.Float(), nullable=True),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workflow_id", "key"),
    )
    with op.batch_alter_table("alert_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_state_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_state_workspace_id"))

    op.drop_table("alert_state")
