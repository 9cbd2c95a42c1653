"""slack connect state: an OAuth state may carry the signed-in workspace and member

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("slack_oauth_state") as batch:
        batch.add_column(
            sa.Column("workspace_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(
            sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_oauth_state") as batch:
        batch.drop_column("member_id")
        batch.drop_column("workspace_id")
