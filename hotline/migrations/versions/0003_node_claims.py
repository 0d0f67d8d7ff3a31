"""several nodes: who holds each claim, one heartbeat per job and node

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString in generated columns)
from alembic import op

import hotline.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NODE = sqlmodel.sql.sqltypes.AutoString(length=64)


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", NODE, nullable=True))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_claimed_by", NODE, nullable=True))
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_claimed_by", NODE, nullable=True))
    # One row per job and node; "" is the cluster's row (the rollups' watermark). A new
    # table, rows copied: SQLite's batch mode cannot drop the unnamed primary key.
    op.create_table(
        "heartbeat_node",
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("node", NODE, nullable=False),
        sa.Column("finished_at", hotline.models.UTCDateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("job", "node"),
    )
    op.execute(
        "INSERT INTO heartbeat_node (job, node, finished_at, detail) "
        "SELECT job, '', finished_at, detail FROM heartbeat"
    )
    op.drop_table("heartbeat")
    op.rename_table("heartbeat_node", "heartbeat")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE heartbeat RENAME CONSTRAINT heartbeat_node_pkey TO heartbeat_pkey")


def downgrade() -> None:
    op.create_table(
        "heartbeat_job",
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("finished_at", hotline.models.UTCDateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("job"),
    )
    op.execute(
        "INSERT INTO heartbeat_job (job, finished_at, detail) "
        "SELECT job, finished_at, detail FROM heartbeat WHERE node = ''"
    )
    op.drop_table("heartbeat")
    op.rename_table("heartbeat_job", "heartbeat")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE heartbeat RENAME CONSTRAINT heartbeat_job_pkey TO heartbeat_pkey")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("escalation_claimed_by")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("escalation_claimed_by")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
