"""Time of the suggestions for one narrative (rules and model together, as decide() asks for
them), over the narratives of the test corpus.

    .venv/bin/python bench/classifier.py [--rounds 3] [--compare OTHER/model.json]

Prints the median and 99th percentile in microseconds for the rules alone and for rules and
model, measured in the same run, alternating narrative by narrative so that machine load falls
on both alike, and the model's share of the time as a ratio. --compare times another weights
file in the same alternation (an earlier model, say: `git show main:routing_rules/classifier/
model.json > /tmp/main.json`).
Target (issue 17): <= 1 ms median for rules and model.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.routing import model as model_file  # noqa: E402
from hotline.routing.corpus import read_corpus  # noqa: E402
from hotline.routing.facts import PersonFacts  # noqa: E402
from hotline.routing.suggest import suggest  # noqa: E402
from hotline.rules.ruleset import load_ruleset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rules", default=str(ROOT / "routing_rules"))
    parser.add_argument("--compare", help="another weights file, timed in the same run")
    args = parser.parse_args()
    rules = load_ruleset(args.rules)
    if rules.model is None:
        sys.exit("no classifier/model.json in the rules directory")
    examples = read_corpus(Path(args.rules) / "classifier/corpus/test.yaml")
    calls = [(e.narrative, [PersonFacts(a, None) for a in e.ages]) for e in examples]
    clf = rules.classification
    models = {"rules alone": None, "rules and model": rules.model}
    if args.compare:
        models[f"and {Path(args.compare).name}"] = model_file.load(Path(args.compare))
    for narrative, people in calls[:100]:  # warm up
        for model in models.values():
            suggest(narrative, people, clf, model)
    # Wall time, and this thread's CPU time (steadier when other work shares the machine).
    wall: dict[str, list[int]] = {label: [] for label in models}
    cpus: dict[str, list[int]] = {label: [] for label in models}
    clock, cpu = time.perf_counter_ns, time.thread_time_ns
    gc.disable()
    try:
        for _ in range(args.rounds):
            for narrative, people in calls:
                for label, model in models.items():
                    start, start_cpu = clock(), cpu()
                    suggest(narrative, people, clf, model)
                    cpus[label].append(cpu() - start_cpu)
                    wall[label].append(clock() - start)
    finally:
        gc.enable()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    # How fast this machine is right now (bench/routing.py prints the same figure).
    speed = min(timeit.repeat("sum(range(100))", number=20000, repeat=5)) / 20000 * 1e6
    chars = statistics.median(len(n) for n, _ in calls)
    print(
        f"{len(calls)} narratives (median {chars:.0f} characters) x {args.rounds} rounds; "
        f"{os.cpu_count()} cpus, load average {load}; sum(range(100)) takes {speed:.2f} us"
    )
    for label in models:
        times, cpu_times = wall[label], cpus[label]
        times.sort()
        cpu_times.sort()
        p99 = int(len(times) * 0.99)
        print(
            f"  {label:<16} wall: median {statistics.median(times) / 1000:7.1f} us, "
            f"p99 {times[p99] / 1000:7.1f} us   cpu: median "
            f"{statistics.median(cpu_times) / 1000:7.1f} us, p99 {cpu_times[p99] / 1000:7.1f} us"
        )
    ratio = statistics.median(cpus["rules and model"]) / statistics.median(cpus["rules alone"])
    print(
        f"  rules and model / rules alone (CPU medians, same run): {ratio:.1f}x   "
        f"(target: rules and model <= 1000 us median)"
    )


if __name__ == "__main__":
    main()
