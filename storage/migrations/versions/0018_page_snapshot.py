"""page snapshot: what a watched web page showed at a workflow's last look

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 14:50:00

A poll of web pages (`trigger.pages`) compares each page with what it showed last time; the
first look only records it. One row per workflow and page address.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "page_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("workflow_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("prices", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workflow_id", "url"),
    )
    with op.batch_alter_table("page_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_page_snapshot_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("page_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_page_snapshot_workspace_id"))
    op.drop_table("page_snapshot")
