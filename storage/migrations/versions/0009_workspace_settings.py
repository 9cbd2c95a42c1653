"""workspace settings, API key names and last use, approval reminders

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 13:30:00

Workspaces get a timezone, a failure-email switch and the hours after which a waiting approval
is reminded, escalated and (optionally) expired; API keys a name and a last-use time; approvals
when they were reminded and escalated, and where in Slack their card was posted. Existing rows
take the defaults (UTC, email on, 24 h).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column(
                "timezone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="UTC",
            )
        )
        batch.add_column(
            sa.Column("failure_email", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("approval_reminder_hours", sa.Integer(), nullable=False, server_default="24")
        )
        batch.add_column(
            sa.Column("approval_escalate_hours", sa.Integer(), nullable=False, server_default="24")
        )
        batch.add_column(sa.Column("approval_expire_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("apikey") as batch:
        batch.add_column(
            sa.Column(
                "name",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(
            sa.Column("last_used_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("approval") as batch:
        batch.add_column(
            sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("slack_channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(
            sa.Column("slack_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )

    with op.batch_alter_table("run") as batch:
        batch.create_index("ix_run_wf_finished", ["workflow_id", "finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_index("ix_run_wf_finished")
    with op.batch_alter_table("approval") as batch:
        batch.drop_column("slack_ts")
        batch.drop_column("slack_channel")
        batch.drop_column("escalated_at")
        batch.drop_column("reminded_at")
    with op.batch_alter_table("apikey") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("name")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("approval_expire_hours")
        batch.drop_column("approval_escalate_hours")
        batch.drop_column("approval_reminder_hours")
        batch.drop_column("failure_email")
        batch.drop_column("timezone")
