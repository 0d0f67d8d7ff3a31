"""Time of decide() per call: with the shipped rules, and with 10,000 synthetic rules over
700 synthetic areas.

    .venv/bin/python bench/routing.py                  # both
    .venv/bin/python bench/routing.py --rules 2000     # a quicker synthetic set

Each figure is the time of one decide() call (classification of the narrative included),
over a mix of realistic calls; median and 99th percentile in microseconds, net of the cost of
the timing itself (measured on an empty call and printed).
Targets (issue 3): <= 50 us median with the shipped rules, <= 500 us with 10,000 rules.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.routing.decide import CallFacts, PersonFacts, decide  # noqa: E402
from hotline.rules.ruleset import RuleSet, load_ruleset  # noqa: E402

SHIPPED = ROOT / "routing_rules"
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
NARRATIVES = [
    "Cháu bé 8 tuổi bị bố dượng đánh đập, bầm tím khắp người",
    "chi ay bi chong danh dap da man, can cho tam lanh",
    "Em gái 14 tuổi bị hàng xóm hiếp dâm",
    "Con gái tôi bị lừa bán sang Trung Quốc, mới được giải cứu trở về",
    "Cho hỏi số điện thoại của phòng lao động",
    "Ổng nhậu về đánh tui bầm mình",
    "My husband hits me and takes all my money",
    "Hai đứa trẻ bị bố mẹ bỏ mặc, bỏ đói nhiều ngày",
    "Con tôi 13 tuổi bị kẻ lạ dụ dỗ qua mạng gửi ảnh khỏa thân rồi tống tiền",
    "Em bị áp lực học tập, buồn lắm, muốn được tâm sự",
    "Gia đình ép con lấy chồng khi mới 14 tuổi, tảo hôn",
    "Chồng cầm dao đòi giết vợ, chị ấy chạy sang nhà hàng xóm",
]
CASE = ("child_abuse", "gbv", "trafficking")


def _timed(fn, args_list: list, rounds: int) -> tuple[list[int], list[int]]:  # type: ignore[no-untyped-def,type-arg]
    """Wall and CPU nanoseconds of fn(*args) for each args, `rounds` times over."""
    wall: list[int] = []
    cpu: list[int] = []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    gc.disable()
    try:
        for _ in range(rounds):
            for args in args_list:
                start, start_cpu = clock(), cpu_clock()
                fn(*args)
                cpu.append(cpu_clock() - start_cpu)
                wall.append(clock() - start)
    finally:
        gc.enable()
    return wall, cpu


def timer_cost() -> tuple[float, float]:
    """Median wall and CPU ns the harness itself adds (two clock reads each way, one call):
    measured on a function that does nothing, and taken off every figure. Reading the thread's
    CPU clock is a system call, a microsecond or more on a VM, not part of decide()."""
    wall, cpu = _timed(lambda call, rules: None, [(None, None)] * 20_000, 1)
    return statistics.median(wall), statistics.median(cpu)


def measure(ruleset: RuleSet, calls: list[CallFacts], rounds: int) -> dict[str, float]:
    """Median and p99 of one decide(), wall-clock and this thread's CPU time, in us, net of
    the timer's own cost. Nothing is remembered from one call to the next (but the folding
    of words already seen), so the 12 narratives the mix repeats cost as new ones would."""
    for call in calls[:50]:  # warm up
        decide(call, ruleset)
    wall, cpu = _timed(decide, [(c, ruleset) for c in calls], rounds)
    wall.sort()
    cpu.sort()
    p99 = int(len(wall) * 0.99)
    wall_cost, cpu_cost = timer_cost()
    return {
        "median": (statistics.median(wall) - wall_cost) / 1000,
        "p99": (wall[p99] - wall_cost) / 1000,
        "cpu_median": (statistics.median(cpu) - cpu_cost) / 1000,
        "cpu_p99": (cpu[p99] - cpu_cost) / 1000,
        "timer_wall": wall_cost / 1000,
        "timer_cpu": cpu_cost / 1000,
    }


def report(label: str, figures: dict[str, float], target: int) -> None:
    print(
        f"{label}\n  wall: median {figures['median']:.1f} us, p99 {figures['p99']:.1f} us"
        f"   cpu: median {figures['cpu_median']:.1f} us, p99 {figures['cpu_p99']:.1f} us"
        f"   (target: median <= {target} us)\n  net of the timer's own cost: "
        f"{figures['timer_wall']:.2f} us wall, {figures['timer_cpu']:.2f} us cpu"
    )


def calibration() -> str:
    """How busy and how fast this machine is right now, to read the figures against."""
    best = min(timeit.repeat("sum(range(100))", number=20000, repeat=5)) / 20000 * 1e6
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cpus, load average {load}; sum(range(100)) takes {best:.2f} us"


def random_calls(ruleset: RuleSet, rng: random.Random, count: int) -> list[CallFacts]:
    tax = ruleset.taxonomy
    areas = [a for a in ruleset.areas if ruleset.areas[a].parent]
    needs, urgencies = tax.codes("need"), tax.codes("urgency")
    out = []
    for i in range(count):
        given = rng.random() < 0.5  # half chosen by the operator, half from suggestions
        cats = (rng.choice(CASE),) if given else ()
        out.append(
            CallFacts(
                line=rng.choice(list(ruleset.lines)),
                area=rng.choice(areas) if rng.random() < 0.95 else None,
                narrative=NARRATIVES[i % len(NARRATIVES)],
                categories=cats,
                subcategories=(),
                urgency=rng.choice(urgencies),
                needs=tuple(rng.sample(needs, rng.randint(0, 2))),
                people=(PersonFacts(rng.randint(3, 60), rng.choice(["female", "male"])),),
                received_at=T0 + timedelta(minutes=rng.randint(0, 7 * 24 * 60)),
            )
        )
    return out


# --- the synthetic jurisdiction ---------------------------------------------------------------


def _shipped(name: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((SHIPPED / name).read_text(encoding="utf-8"))


def _tree(n_areas: int) -> tuple[list[dict[str, str]], list[str], list[str], list[str]]:
    """10 provinces of 6 districts each, the rest communes spread over the districts."""
    areas = [{"code": "vn", "name": "Việt Nam", "kind": "country"}]
    provinces = [f"p{i}" for i in range(10)]
    districts = [f"{p}-d{j}" for p in provinces for j in range(6)]
    areas += [
        {"code": p, "name": f"Tỉnh {p}", "kind": "province", "parent": "vn"} for p in provinces
    ]
    areas += [
        {"code": d, "name": f"Huyện {d}", "kind": "district", "parent": d.rsplit("-", 1)[0]}
        for d in districts
    ]
    communes = [f"{districts[i % len(districts)]}-c{i}" for i in range(n_areas - len(areas))]
    areas += [
        {"code": c, "name": f"Xã {c}", "kind": "commune", "parent": c.rsplit("-", 1)[0]}
        for c in communes
    ]
    return areas, provinces, districts, communes


def _agencies(areas: list[str], communes: set[str], rng: random.Random) -> list[dict]:  # type: ignore[type-arg]
    """Every kind in provinces and districts; a child-protection point and a commune
    committee in every third commune."""
    out = []
    for area in areas:
        for kind in (k["code"] for k in _shipped("taxonomy.yaml")["agency_kinds"]):
            if area in communes and kind not in ("child_protection", "commune_committee"):
                continue
            agency = {
                "code": f"{kind}-{area}",
                "kind": kind,
                "area": area,
                "name": f"{kind} {area}",
            }
            if kind == "safe_house":
                agency["beds"] = rng.randint(0, 4)
            if kind in ("police", "health", "social_work_centre"):
                agency["hours"] = "24/7"
            out.append(agency)
    return out


def _rules(n_rules: int, areas: list[str], rng: random.Random) -> list[dict]:  # type: ignore[type-arg]
    """The shipped rules, then local rules as a national deployment would have: each for one
    area's subtree, a category, sometimes a sub-category, urgencies, a need or an age."""
    tax = _shipped("taxonomy.yaml")
    subs = {c["code"]: [s["code"] for s in c.get("subcategories", [])] for c in tax["categories"]}
    needs = [n["code"] for n in tax["needs"]]
    kinds = [k["code"] for k in tax["agency_kinds"]]
    rules = list(_shipped("rules.yaml")["rules"])
    while len(rules) < n_rules:
        cat = rng.choice(CASE)
        when: dict[str, object] = {"categories": [cat], "area": [rng.choice(areas)]}
        if rng.random() < 0.3:
            when["subcategories"] = [rng.choice(subs[cat])]
        if rng.random() < 0.3:
            when["urgency"] = rng.sample(["emergency", "high", "normal", "low"], 2)
        if rng.random() < 0.2:
            when["needs"] = [rng.choice(needs)]
        if rng.random() < 0.1:
            when["person"] = {"max_age": rng.randint(10, 17)}
        rule = {
            "id": f"synthetic-{len(rules)}",
            "description": "synthetic",
            "when": when,
            "refer": [rng.choice(kinds)],
            "source": "bench",
        }
        if rng.random() < 0.2:
            rule["limits"] = [
                {"clock": "first_action", "limit": f"{rng.randint(1, 48)}h", "source": "bench"}
            ]
        rules.append(rule)
    return rules


def synthetic_dir(target: Path, n_rules: int, n_areas: int, rng: random.Random) -> None:
    shutil.copy(SHIPPED / "taxonomy.yaml", target / "taxonomy.yaml")
    shutil.copy(SHIPPED / "classification.yaml", target / "classification.yaml")
    areas, provinces, districts, communes = _tree(n_areas)
    lines = [{"number": "111", "name": "111", "level": "national"}] + [
        {"number": f"0200000{i:04d}", "name": f"line {p}", "level": "provincial", "area": p}
        for i, p in enumerate(provinces)
    ]
    rules_file = _shipped("rules.yaml")
    rules_file["rules"] = _rules(n_rules, [a["code"] for a in areas[1:]], rng)
    agencies = _agencies([*provinces, *districts, *communes[::3]], set(communes), rng)
    files = {
        "areas.yaml": {"areas": areas},
        "lines.yaml": {"lines": lines},
        "agencies.yaml": {
            "office_hours": _shipped("agencies.yaml")["office_hours"],
            "agencies": agencies,
        },
        "rules.yaml": rules_file,
    }
    for name, data in files.items():
        (target / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--areas", type=int, default=700)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20260310)

    print(calibration())
    shipped = load_ruleset(SHIPPED)
    calls = random_calls(shipped, rng, args.calls)
    report(
        f"shipped rules ({len(shipped.routing.rules)} rules, "
        f"{len(shipped.areas)} areas, {len(shipped.agencies)} agencies)",
        measure(shipped, calls, args.rounds),
        50,
    )

    with tempfile.TemporaryDirectory() as tmp:
        synthetic_dir(Path(tmp), args.rules, args.areas, rng)
        started = time.perf_counter()
        big = load_ruleset(tmp)
        loaded = time.perf_counter() - started
    calls = random_calls(big, rng, args.calls)
    report(
        f"synthetic rules ({len(big.routing.rules)} rules, {len(big.areas)} areas, "
        f"{len(big.agencies)} agencies; loaded and checked in {loaded:.1f} s)",
        measure(big, calls, args.rounds),
        500,
    )
    print(calibration())


if __name__ == "__main__":
    main()
