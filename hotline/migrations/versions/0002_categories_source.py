"""a call's categories in effect, with their source

Calls routed by their suggestions were stored with no category. They get the suggested
categories and sub-categories they were routed by, marked "suggested"; calls with categories
are marked "operator".

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "categories_source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
            )
        )
    call = sa.table(
        "call",
        sa.column("id", sa.Integer),
        sa.column("categories", sa.JSON),
        sa.column("subcategories", sa.JSON),
        sa.column("suggested", sa.JSON),
        sa.column("categories_source", sa.String),
    )
    category = sa.table("call_category", sa.column("call_id", sa.Integer), sa.column("code"))
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(call.c.id, call.c.categories, call.c.subcategories, call.c.suggested)
            .where(call.c.id > last)
            .order_by(call.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        for row in rows:
            if row.categories:
                bind.execute(
                    call.update().where(call.c.id == row.id).values(categories_source="operator")
                )
                continue
            suggested = row.suggested or []
            cats = [s["code"] for s in suggested if s.get("kind") == "category"]
            if not cats:
                continue
            subs = row.subcategories or [
                s["code"] for s in suggested if s.get("kind") == "subcategory"
            ]
            bind.execute(
                call.update()
                .where(call.c.id == row.id)
                .values(categories=cats, subcategories=subs, categories_source="suggested")
            )
            present = {
                code
                for (code,) in bind.execute(
                    sa.select(category.c.code).where(category.c.call_id == row.id)
                )
            }
            missing = sorted((set(cats) | set(subs)) - present)
            if missing:
                bind.execute(category.insert(), [{"call_id": row.id, "code": c} for c in missing])


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("categories_source")
