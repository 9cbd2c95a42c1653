"""run leases (owner, expiry, recoveries, running time) and approval links

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:56:29.163774
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # a send cut off mid-call: step "unknown"
        op.execute("ALTER TYPE stepstatus ADD VALUE IF NOT EXISTS 'unknown'")
    op.create_table(
        "approval_link",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("workspace_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("approval_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["approval_id"], ["approval.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("approval_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_link_approval_id"), ["approval_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approval_link_workspace_id"), ["workspace_id"], unique=False
        )

    # Existing runs start with no lease (a running one is recovered as before) and a clean count.
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_expires_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("recoveries", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("active_seconds", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("running_since", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value; "unknown" stays in stepstatus (unused by 0005).
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("running_since")
        batch_op.drop_column("active_seconds")
        batch_op.drop_column("recoveries")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")

    with op.batch_alter_table("approval_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_link_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_approval_link_approval_id"))

    op.drop_table("approval_link")
