"""agency acting: the client workspace a Slack user acts in; who asked for a run

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(
            sa.Column(
                "acting_workspace_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )
    with op.batch_alter_table("run") as batch:
        batch.add_column(
            sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("requested_by")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("acting_workspace_id")
