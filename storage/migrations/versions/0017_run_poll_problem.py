"""run poll problem: why a poll could not look, kept on the run instead of its trigger payload

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:05:00

A poll that cannot read its sheet starts a run that fails at once with the reason. The reason
was a reserved key of the trigger payload, which a sheet column of that name would have filled;
it is now a column of its own. Runs already recorded keep the key in their payload (they have
ended: nothing reads it again).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(
            sa.Column("poll_problem", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("poll_problem")
