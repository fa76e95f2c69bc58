"""Benchmark of the judging engine (issue 14): pure Python, no database.

    .venv/bin/python benchmarks/judging.py            # a table
    .venv/bin/python benchmarks/judging.py --json     # the same figures as JSON

- assign_reviews: 2,000 entries, 200 judges, 5 judges per entry, each (judge, entry) pair in
  conflict with probability 5 %. Also three harder variants at the same size: every judge with
  their own limit (46–60 entries); a bottleneck (200 entries that only 10 judges may judge, which
  forces a load of 100 through the minimum-cut step); and nested eligibility (entry n may only be
  judged by the first n² / 20,000 + 5 judges: the first ones by 5, the last ones by all), which
  takes many minimum-cut steps and leaves very unequal loads to even out. Every result is checked
  (5 distinct judges per entry, no conflict, no judge over their limit) and its largest load L
  proved the smallest possible: asked for L − 1, the engine must name a group of entries that
  needs more reviews than its judges can give, which this script counts for itself.
- aggregate: the 10,000 sheets of that assignment (5 weighted criteria, each judge harsh or
  generous by up to ±20 %), by z-score (the target), by mean and trimmed mean, and
  score_details (all three scores, the spread and the flag per entry).

Inputs are generated once per case from a fixed seed; each timing is one call, repeated --runs
times, and the median is reported with the CPU time of this process.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsapp.judging import NoValidAssignment, aggregate, assign_reviews, score_details  # noqa: E402

TARGETS_S = {"assign_reviews": 2.0, "aggregate zscore": 0.5}
NOTES = ("largest_load", "lowest_load", "entries_ranked", "flagged")
CRITERIA = {"innovation": (30, 10), "market": (25, 10), "team": (20, 10), "feasibility": (15, 10), "pitch": (10, 5)}


def contest(rng: random.Random, entries: int, judges: int, conflict_share: float):
    entry_names = [f"entry-{number:04d}" for number in range(entries)]
    judge_names = [f"judge-{number:03d}" for number in range(judges)]
    conflicts = [(judge, entry) for entry in entry_names for judge in judge_names if rng.random() < conflict_share]
    return entry_names, judge_names, conflicts


def certify(entries: list, judges: list, per_entry: int, conflicts, max_load, result) -> int:
    """Check the assignment and prove its largest load L the smallest possible: asked for L − 1,
    the engine must refuse, naming a group of entries that needs more reviews than the judges free
    to review it can give (counted here, not by the engine)."""
    conflicted = set(conflicts)
    limit = {judge: (max_load[judge] if isinstance(max_load, dict) else len(entries)) for judge in judges}
    for entry, chosen in result.items():
        if len(set(chosen)) != per_entry or any((judge, entry) in conflicted for judge in chosen):
            sys.exit(f"entry {entry} got a wrong set of judges: {chosen}")
    loads = Counter(judge for chosen in result.values() for judge in chosen)
    if any(loads[judge] > limit[judge] for judge in judges):
        sys.exit("a judge is above their limit")
    largest = max(loads.values())
    lower = {judge: min(limit[judge], largest - 1) for judge in judges}
    try:
        assign_reviews(entries, judges, per_entry, conflicts, lower)
    except NoValidAssignment as refusal:
        group = set(refusal.group)
        supply = sum(min(lower[judge], sum(1 for entry in group if (judge, entry) not in conflicted))
                     for judge in judges)
        if per_entry * len(group) > supply:
            return largest
    sys.exit(f"no proof that a largest load of {largest} is the smallest possible")


def timed(function, runs: int) -> tuple[list[float], list[float], object]:
    wall, cpu, result = [], [], None
    for _ in range(runs):
        cpu_started, started = time.process_time(), time.perf_counter()
        result = function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return wall, cpu, result


def sheets_for(rng: random.Random, assignment: dict, judges: list) -> dict:
    """Each judge marks an entry's hidden quality, shifted by their own harshness or generosity."""
    quality = {entry: rng.uniform(0.3, 0.9) for entry in assignment}
    bias = {judge: rng.uniform(-0.2, 0.2) for judge in judges}
    sheets = {}
    for entry, chosen in assignment.items():
        for judge in chosen:
            marks = {}
            for criterion, (_, max_points) in CRITERIA.items():
                share = quality[entry] + bias[judge] + rng.gauss(0, 0.08)
                marks[criterion] = round(min(1, max(0, share)) * max_points)
            sheets[(judge, entry)] = marks
    return sheets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=200)
    parser.add_argument("--per-entry", type=int, default=5)
    parser.add_argument("--conflicts", type=float, default=0.05, help="share of (judge, entry) pairs in conflict")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    entries, judges, conflicts = contest(rng, args.entries, args.judges, args.conflicts)
    rows = []

    def assignment_case(name: str, case_conflicts, max_load):
        wall, cpu, result = timed(lambda: assign_reviews(entries, judges, args.per_entry, case_conflicts, max_load),
                                  args.runs)
        largest = certify(entries, judges, args.per_entry, case_conflicts, max_load, result)
        rows.append({"case": name, "wall_s": wall, "cpu_s": cpu, "largest_load": largest,
                     "lowest_load": min(Counter(j for chosen in result.values() for j in chosen).values())})
        return result

    assignment = assignment_case("assign_reviews", conflicts, None)
    limits = {judge: rng.randint(46, 60) for judge in judges}
    assignment_case("assign, limits 46-60 per judge", conflicts, limits)
    # 200 entries that only the first 10 judges may judge: those 10 must take 200 × 5 / 10 = 100 each.
    few = set(judges[:10])
    narrow = set(conflicts) | {(judge, entry) for entry in entries[:200] for judge in judges if judge not in few}
    narrow -= {(judge, entry) for entry in entries[:200] for judge in few}
    assignment_case("assign, 10-judge bottleneck", sorted(narrow), None)
    # Entry n may only be judged by the first n² / (10 × entries) + 5 judges: nested bottlenecks.
    nested = [(judge, entry) for number, entry in enumerate(entries) for rank, judge in enumerate(judges)
              if rank >= number * number // (10 * len(entries)) + args.per_entry]
    assignment_case("assign, nested eligibility", nested, None)

    sheets = sheets_for(rng, assignment, judges)
    for method in ("zscore", "mean", "trimmed"):
        wall, cpu, result = timed(lambda method=method: aggregate(sheets, CRITERIA, method), args.runs)
        rows.append({"case": f"aggregate {method}", "wall_s": wall, "cpu_s": cpu, "entries_ranked": len(result)})
    wall, cpu, details = timed(lambda: score_details(sheets, CRITERIA, "zscore"), args.runs)
    rows.append({"case": "score_details zscore", "wall_s": wall, "cpu_s": cpu,
                 "flagged": sum(detail.flagged for detail in details)})

    for row in rows:
        row["median_s"] = round(statistics.median(row["wall_s"]), 4)
        row["cpu_median_s"] = round(statistics.median(row["cpu_s"]), 4)
        row["wall_s"] = [round(value, 4) for value in row["wall_s"]]
        row["cpu_s"] = [round(value, 4) for value in row["cpu_s"]]
        target = TARGETS_S.get(row["case"])
        row["target_s"] = target
        row["met"] = None if target is None else row["median_s"] < target
    summary = {"entries": len(entries), "judges": len(judges), "per_entry": args.per_entry,
               "conflicts": len(conflicts), "sheets": len(sheets), "runs": args.runs, "seed": args.seed,
               "python": sys.version.split()[0], "rows": rows}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{len(entries):,} entries, {len(judges)} judges, {args.per_entry} per entry, "
              f"{len(conflicts):,} conflicts ({args.conflicts:.0%}), {len(sheets):,} sheets, {args.runs} runs each")
        print(f"{'case':<32} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'target':>7}  notes")
        for row in rows:
            notes = ", ".join(f"{key} {row[key]}" for key in NOTES if key in row)
            target = f"< {row['target_s']}" if row["target_s"] else ""
            verdict = {True: "met", False: "MISSED", None: ""}[row["met"]]
            print(f"{row['case']:<32} {row['median_s']:>9.3f} {min(row['wall_s']):>7.3f} {max(row['wall_s']):>7.3f} "
                  f"{row['cpu_median_s']:>7.3f} {target:>7}  {verdict} {notes}")
    if any(row["met"] is False for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
