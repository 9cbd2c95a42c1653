"""inbound secret per workspace

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:45:00

The inbound-email webhook secret is stored per workspace (regenerable) instead of being derived
from LEVQOR_SECRET_KEY. Existing rows stay NULL until first use, which pins the derived value,
so provider URLs configured before the upgrade keep working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("inbound_secret", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("inbound_secret")
