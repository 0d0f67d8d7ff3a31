"""find a call: the folded text its words are matched against

Adds call.search_text (names, address and narrative, folded: hotline.calls.find), fills it for
the calls already stored, and indexes it for word searches: on SQLite an FTS5 table over the
column (external content, kept in step by triggers, so the write path writes the column only);
on PostgreSQL a trigram index (pg_trgm), which serves the same LIKE patterns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotline.calls.find import search_text

revision: str = "0004"
down_revision: str | None = "0003"
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

    if bind.dialect.name == "sqlite":
        for statement in SQLITE_INDEX:
            op.execute(statement)
        op.execute("INSERT INTO call_fts(call_fts) VALUES ('rebuild')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_call_search_trgm ON call "
            "USING gin (search_text gin_trgm_ops)"
        )


# The FTS5 table reads its text from call.search_text (content='call'); the triggers tell it
# what changed. Tokens are the folded words (unicode61 splits on what fold_words() removes).
SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE call_fts USING fts5("
    "search_text, content='call', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER call_fts_insert AFTER INSERT ON call BEGIN "
    "INSERT INTO call_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER call_fts_delete AFTER DELETE ON call BEGIN "
    "INSERT INTO call_fts(call_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER call_fts_update AFTER UPDATE OF search_text ON call BEGIN "
    "INSERT INTO call_fts(call_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO call_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("call_fts_insert", "call_fts_delete", "call_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS call_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_call_search_trgm")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("search_text")
