"""The gateway's index of answered decisions.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_decisions",
        sa.Column("log_index", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("requester", sa.String(64)),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_gateway_decisions_request_id", "gateway_decisions", ["request_id"])


def downgrade() -> None:
    op.drop_table("gateway_decisions")
