"""find a call: the folded text its words are matched against

Adds call.search_text (names, address and narrative, folded: hotline.calls.find) and fills it
for the calls already stored.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotline.calls.find import search_text

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    call = sa.table(
        "call",
        sa.column("id", sa.Integer),
        sa.column("caller_name", sa.String),
        sa.column("address", sa.String),
        sa.column("narrative", sa.Text),
        sa.column("search_text", sa.Text),
    )
    person = sa.table(
        "person", sa.column("call_id", sa.Integer), sa.column("name"), sa.column("position")
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(call.c.id, call.c.caller_name, call.c.address, call.c.narrative)
            .where(call.c.id > last)
            .order_by(call.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        names: dict[int, list[str]] = {}
        for call_id, name in bind.execute(
            sa.select(person.c.call_id, person.c.name)
            .where(person.c.call_id.in_([r.id for r in rows]), person.c.name.is_not(None))
            .order_by(person.c.call_id, person.c.position)
        ):
            names.setdefault(call_id, []).append(name)
        for row in rows:
            text = search_text(row.caller_name, row.address, row.narrative, names.get(row.id, []))
            if text:
                bind.execute(call.update().where(call.c.id == row.id).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("search_text")
