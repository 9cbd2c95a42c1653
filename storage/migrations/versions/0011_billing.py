"""Levqor's own billing: subscriptions, usage counts, billing webhook events

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("id", _S(length=32), nullable=False),
        sa.Column("workspace_id", _S(length=32), nullable=False),
        sa.Column("plan", _S(length=32), nullable=False),
        sa.Column("interval", _S(length=16), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("trial_ends_at", _T(timezone=True), nullable=True),
        sa.Column("period_start", _T(timezone=True), nullable=False),
        sa.Column("period_end", _T(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("grace_ends_at", _T(timezone=True), nullable=True),
        sa.Column("stripe_customer_id", _S(length=255), nullable=True),
        sa.Column("stripe_subscription_id", _S(length=255), nullable=True),
        sa.Column("stripe_status", _S(length=32), nullable=True),
        sa.Column("stripe_event_at", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("paused_workflows", sa.JSON(), nullable=False),
        sa.Column("created_at", _T(timezone=True), nullable=False),
        sa.Column("updated_at", _T(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id"),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_stripe_customer_id"), ["stripe_customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subscription_stripe_subscription_id"),
            ["stripe_subscription_id"],
            unique=False,
        )
    op.create_table(
        "usage_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", _S(length=32), nullable=False),
        sa.Column("metric", _S(length=32), nullable=False),
        sa.Column("period_start", _T(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "metric", "period_start"),
    )
    with op.batch_alter_table("usage_count", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_usage_count_workspace_id"), ["workspace_id"], unique=False
        )
    op.create_table(
        "billing_event",
        sa.Column("event_id", _S(length=255), nullable=False),
        sa.Column("type", _S(length=100), nullable=False),
        sa.Column("received_at", _T(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def downgrade() -> None:
    op.drop_table("billing_event")
    with op.batch_alter_table("usage_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usage_count_workspace_id"))
    op.drop_table("usage_count")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_stripe_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_stripe_customer_id"))
    op.drop_table("subscription")
