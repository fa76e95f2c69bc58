"""CPU of the leaderboard's cold recompute, apart from the database and the page (issue 14): 10,000 sheets
of 5 criteria over 2,000 entries, ranked as the organizer's leaderboard ranks them after a judge saved a
sheet, in four ways measured in turn in one run, so that the machine's load weighs alike on all four:

- **whole**: every sheet added up again and ranked (``judging.score_details``: the code before the totals
  were kept);
- **kept totals**: one sheet added up again and all totals ranked (``sheet_totals`` on the changed sheet,
  then ``score_details_of_totals``: what ``reviews.leaderboard`` does now, with each sheet's total kept in
  the database, ``reviews.standings``);

each with the process heap as it is (an app made and its modules loaded) and with that heap frozen
(``gc.freeze()``, as ``GC_FREEZE_AT_START`` does). Times are CPU (process_time) per recompute.

    .venv/bin/python benchmarks/leaderboard_recompute.py [--rounds 300] [--method mean|trimmed|zscore]
"""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsapp import create_app  # noqa: E402
from eventsapp.config import TestConfig  # noqa: E402
from eventsapp.judging import score_details, score_details_of_totals, sheet_totals  # noqa: E402


def build(entries: int = 2000, judges: int = 200, per_entry: int = 5, seed: int = 14):
    rng = random.Random(seed)
    criteria = {str(number): (rng.choice((1, 2, 3)), 10) for number in range(5)}
    sheets = {}
    for entry in range(entries):
        for judge in rng.sample(range(judges), per_entry):
            sheets[(judge, entry)] = {criterion: rng.randint(0, 10) for criterion in criteria}
    return sheets, criteria


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--method", default="mean", choices=["mean", "trimmed", "zscore"])
    args = parser.parse_args()
    create_app({**{key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()},
                "GC_FREEZE_AT_START": False})  # a heap like a worker's: every module and the app
    sheets, criteria = build()
    kept = sheet_totals(sheets, criteria)
    changed = next(iter(sheets))

    def whole():
        return score_details(sheets, criteria, args.method)

    def kept_totals():
        [fresh] = sheet_totals({changed: sheets[changed]}, criteria)
        return score_details_of_totals([fresh, *kept[1:]], args.method)

    assert whole() == kept_totals()
    ways = [(name, frozen, call) for name, call in (("whole", whole), ("kept totals", kept_totals))
            for frozen in (False, True)]
    times: dict[tuple[str, bool], list[float]] = {(name, frozen): [] for name, frozen, _ in ways}
    results = []
    for _ in range(args.rounds):
        for name, frozen, call in ways:
            gc.freeze() if frozen else gc.unfreeze()
            started = time.process_time()
            results.append(call())  # kept, as the leaderboard keeps its rankings
            times[(name, frozen)].append((time.process_time() - started) * 1000)
            if len(results) > 32:
                results.pop(0)
    gc.unfreeze()
    base = statistics.median(times[("whole", False)])
    print(f"{len(sheets):,} sheets · method {args.method} · {args.rounds} recomputes per way, interleaved")
    print(f"{'way':<12} {'frozen':<6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'median / whole':>15}")
    for (name, frozen), values in times.items():
        median, p95 = statistics.median(values), statistics.quantiles(values, n=20)[-1]
        print(f"{name:<12} {'yes' if frozen else 'no':<6} {median:>10.1f} {p95:>8.1f} {max(values):>8.1f} "
              f"{median / base:>15.2f}")


if __name__ == "__main__":
    main()
