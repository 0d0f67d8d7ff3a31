"""Find a call on a large table: search times on SQLite and PostgreSQL.

    .venv/bin/python bench/search.py                          # 100,000 calls, both engines
    .venv/bin/python bench/search.py --calls 20000 --backends sqlite

The calls come from hotline.demo.history (their lines, areas, dates and statuses); each then
gets a caller's name, a phone number and a narrative of 30 to 80 words drawn from a
Vietnamese vocabulary, with its folded search_text (hotline.calls.find), as intake writes
them. The data set is kept (SQLite file under --dir, database hotline_bench_search_<N>), so
re-runs only measure. Each figure is the median of --repeat runs after one warm-up, of
hotline.calls.views.search() (one page of 50 and the total count) as an operator without a
line limit sees it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.accounts.auth import Principal  # noqa: E402
from hotline.calls import views  # noqa: E402
from hotline.calls.find import read_query, search_text  # noqa: E402
from hotline.db.engine import Database  # noqa: E402
from hotline.demo.history import generate  # noqa: E402
from hotline.models import Call  # noqa: E402
from hotline.rules.ruleset import RuleSet, load_ruleset  # noqa: E402

END = datetime(2026, 11, 1, tzinfo=UTC)
START = datetime(2025, 11, 1, tzinfo=UTC)
VOCABULARY = (
    "bé gái trai tuổi bị cha mẹ dượng kế đánh đập chửi mắng bỏ đói nhốt trong nhà hàng xóm "
    "nghe thấy tiếng khóc nhiều đêm vết bầm trên tay chân mặt em không đi học làm thuê ở "
    "quán xưởng rẫy cà phê bị ép lấy chồng sớm mang thai xâm hại tình dục người lạ quen "
    "trên mạng dụ dỗ hẹn gặp bỏ trốn khỏi nhà mất tích công an xã thôn làng bản trường "
    "giáo viên báo cáo mẹ say rượu bạo lực gia đình vợ chồng cãi nhau đuổi ra khỏi nhà "
    "không có chỗ ở cần nhà tạm lánh tư vấn tâm lý pháp lý y tế bệnh viện trạm xá"
)
FAMILY_NAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý A Y Rơ"
GIVEN_NAMES = "Lan Hoa Minh Tuấn Hùng Mai Hương Linh Nam Bình Thảo Ngọc Phương Dũng Hà Nhung"
WORDS, FAMILY, GIVEN = (tuple(s.split()) for s in (VOCABULARY, FAMILY_NAMES, GIVEN_NAMES))
RARE = "Xiêm"  # one call's caller, to time a word that matches almost nothing


def url_for(backend: str, calls: int, args: argparse.Namespace) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(args.dir) / f'hotline-search-{calls}.sqlite3'}"
    return make_url(args.pg).set(database=f"hotline_bench_search_{calls}").render_as_string(False)


async def _pg_admin(args: argparse.Namespace, sql: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from notify import pg_admin

    await pg_admin(args.pg, sql)


async def count_calls(url: str) -> int:
    db = Database(url)
    try:
        async with db.read() as session:
            return int(await session.scalar(sa.select(sa.func.count(Call.id))) or 0)
    except Exception:  # noqa: BLE001 - no database or table yet
        return -1
    finally:
        await db.dispose()


async def prepare(backend: str, calls: int, rules: RuleSet, args: argparse.Namespace) -> str:
    url = url_for(backend, calls, args)
    if await count_calls(url) == calls:
        return url
    print(f"generating {calls:,} calls on {backend} …", flush=True)
    if backend == "sqlite":
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    else:
        name = f"hotline_bench_search_{calls}"
        await _pg_admin(args, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(args, f'CREATE DATABASE "{name}"')
    db = Database(url)
    try:
        await db.upgrade()
        await generate(db, rules, calls=calls, seed=7, start=START, end=END)
        rng = random.Random(7)
        call = Call.__table__  # type: ignore[attr-defined]
        stmt = (
            call.update()
            .where(call.c.id == sa.bindparam("b_id"))
            .values(
                caller_name=sa.bindparam("b_name"),
                caller_phone_e164=sa.bindparam("b_phone"),
                narrative=sa.bindparam("b_narrative"),
                search_text=sa.bindparam("b_text"),
            )
        )
        async with db.read() as session:
            ids = list((await session.execute(sa.select(call.c.id).order_by(call.c.id))).scalars())
        for start in range(0, len(ids), 5000):
            rows = []
            for call_id in ids[start : start + 5000]:
                name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
                if call_id == ids[len(ids) // 2]:
                    name = f"Hồ {RARE}"
                narrative = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 80)))
                rows.append(
                    {
                        "b_id": call_id,
                        "b_name": name,
                        "b_phone": f"+849{rng.randrange(10**8):08d}",
                        "b_narrative": narrative,
                        "b_text": search_text(name, None, narrative),
                    }
                )
            async with db.write() as session:
                await session.execute(stmt, rows)
        async with db.write() as session:
            await session.execute(sa.text("ANALYZE"))
    finally:
        await db.dispose()
    return url


async def measure(url: str, rules: RuleSet, repeat: int) -> dict[str, float]:
    db = Database(url)
    principal = Principal(user_id=1, username="bench", role="operator")
    async with db.read() as session:
        phone = await session.scalar(sa.select(Call.caller_phone_e164).limit(1).offset(777))
        reference = await session.scalar(sa.select(Call.reference).limit(1).offset(999))
    cases = {
        "reference": views.CallFilter(text=read_query(reference)),
        "phone (any form)": views.CallFilter(
            text=read_query(f"0{phone[3:6]} {phone[6:9]} {phone[9:]}")
        ),
        "one common word (bị)": views.CallFilter(text=read_query("bị")),
        "two words, no diacritics (bam tay)": views.CallFilter(text=read_query("bam tay")),
        "a rare name (xiem)": views.CallFilter(text=read_query("xiem")),
        "words + urgency + 30 days": views.CallFilter(
            text=read_query("xâm hại"),
            urgency="high",
            since=datetime(2026, 10, 1, tzinfo=UTC),
        ),
        "filters only (status, line)": views.CallFilter(status="closed", line="111"),
    }
    out: dict[str, float] = {}
    try:
        for label, filters in cases.items():
            found = 0

            async def run(filters: views.CallFilter = filters) -> None:
                nonlocal found
                async with db.read() as session:
                    _, found = await views.search(session, filters, principal, rules)

            await run()
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                await run()
                times.append(time.perf_counter() - t0)
            out[label] = statistics.median(times)
            print(f"  {label:<36} {out[label] * 1000:8.1f} ms   ({found:,} calls)", flush=True)
    finally:
        await db.dispose()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rules = load_ruleset(ROOT / "routing_rules")
    for backend in args.backends.split(","):
        url = await prepare(backend, args.calls, rules, args)
        print(f"{backend}, {args.calls:,} calls (median of {args.repeat}):", flush=True)
        await measure(url, rules, args.repeat)


if __name__ == "__main__":
    asyncio.run(main())
