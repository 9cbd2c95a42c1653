"""data lifecycle: workspace deletion (requested, deleted)

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("deletion_requested_at", storage.types.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("deleted_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("deletion_requested_at")
