"""referral rewards: the credit of a reward, and each referral paid and rewarded once;
an export's heartbeat (a build killed midway is found and failed)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral_event") as batch:
        batch.add_column(sa.Column("amount_pence", sa.Integer(), nullable=True))
        batch.create_unique_constraint(
            "uq_referral_event_once", ["workspace_id", "kind", "referred_workspace_id"]
        )
    with op.batch_alter_table("export_job") as batch:
        batch.add_column(sa.Column("heartbeat_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("export_job") as batch:
        batch.drop_column("heartbeat_at")
    with op.batch_alter_table("referral_event") as batch:
        batch.drop_constraint("uq_referral_event_once", type_="unique")
        batch.drop_column("amount_pence")
