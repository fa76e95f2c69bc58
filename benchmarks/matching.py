"""Benchmark of the matching engine (issue 5) on seeded, popularity-skewed instances.

    .venv/bin/python benchmarks/matching.py                 # both parts, full size
    .venv/bin/python benchmarks/matching.py --part big      # 100,000 candidates, quota 3
    .venv/bin/python benchmarks/matching.py --part package  # quota 1 against the `matching` package

Part "big": 100,000 candidates, 2,000 booths, 10 ranked booths each, quota 3, capacities summing
to about 60% of the demand (each booth's capacity is its interviewers × the slots of a fair day,
as in the product). Times stable_match + schedule_interviews, reads the peak memory of a fresh
process, and checks that the schedule uses exactly the minimum number of slots.

Part "package": quota 1, 50,000 candidates and 2,000 booths: our stable_match against the
`matching` package's HospitalResident game (building the game included), with identical results.
Each measurement runs in its own process so memory and caches do not leak between them.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is called matching.py: keep its folder off the path so `import matching` finds the
# PyPI package, and put the project on it for `eventsapp`.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

SLOTS_PER_DAY = 16  # 08:30–16:30 in 30-minute interviews


def generate(candidates: int, booths: int, ranked: int, quota: int, fill: float, seed: int):
    """Candidates rank booths by a Zipf-like popularity; booths rank everyone who ranked them."""
    rng = random.Random(seed)
    names = list(range(booths))
    weights = [1 / (rank + 1) ** 0.8 for rank in names]  # a few employers everyone wants
    candidate_prefs = {}
    for candidate in range(candidates):
        chosen = set()
        while len(chosen) < ranked:
            chosen.update(rng.choices(names, weights, k=ranked - len(chosen)))
        order = list(chosen)
        rng.shuffle(order)
        candidate_prefs[candidate] = order
    fans: dict[int, list[int]] = {booth: [] for booth in names}
    for candidate, order in candidate_prefs.items():
        for booth in order:
            fans[booth].append(candidate)
    booth_prefs = {}
    for booth, people in fans.items():
        rng.shuffle(people)
        booth_prefs[booth] = people
    # Interviewers in proportion to popularity, so that capacity is about `fill` of the demand.
    demand = candidates * quota
    total_weight = sum(weights)
    interviewers = {booth: max(1, round(fill * demand * weights[booth] / total_weight / SLOTS_PER_DAY))
                    for booth in names}
    capacities = {booth: interviewers[booth] * SLOTS_PER_DAY for booth in names}
    return candidate_prefs, booth_prefs, capacities, interviewers


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_big(seed: int) -> dict:
    from eventsapp.matching import minimum_slots, schedule_interviews, stable_match

    candidate_prefs, booth_prefs, capacities, interviewers = generate(100_000, 2_000, 10, 3, 0.6, seed)
    before = peak_rss_mb()
    cpu_started, started = time.process_time(), time.perf_counter()
    assignment = stable_match(candidate_prefs, booth_prefs, capacities, quotas=3)
    matched_at = time.perf_counter()
    slots = schedule_interviews(assignment, interviewers)
    finished, cpu_finished = time.perf_counter(), time.process_time()
    interviews = sum(len(booths) for booths in assignment.values())
    return {
        "capacity_share_of_demand": round(sum(capacities.values()) / (100_000 * 3), 3),
        "interviews": interviews,
        "matched_candidates": sum(1 for booths in assignment.values() if booths),
        "stable_match_s": round(matched_at - started, 3),
        "schedule_s": round(finished - matched_at, 3),
        "total_s": round(finished - started, 3),
        "total_cpu_s": round(cpu_finished - cpu_started, 3),
        "slots_used": max(slots.values()) + 1,
        "minimum_slots": minimum_slots(assignment, interviewers),
        "peak_rss_mb_process": round(peak_rss_mb(), 1),
        "rss_before_engine_mb": round(before, 1),
    }


def run_ours_quota_one(seed: int) -> dict:
    from eventsapp.matching import stable_match

    candidate_prefs, booth_prefs, capacities, _ = generate(50_000, 2_000, 10, 1, 0.6, seed)
    started = time.perf_counter()
    result = stable_match(candidate_prefs, booth_prefs, capacities)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "result": {str(c): [str(b) for b in booths] for c, booths in result.items()}}


def run_package_quota_one(seed: int) -> dict:
    from matching.games import HospitalResident

    candidate_prefs, booth_prefs, capacities, _ = generate(50_000, 2_000, 10, 1, 0.6, seed)
    started = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(candidate_prefs, booth_prefs, capacities)
    solved = game.solve(optimal="resident")
    seconds = time.perf_counter() - started
    result = {str(c): [] for c in candidate_prefs}
    for hospital, residents in solved.items():
        for resident in residents:
            result[str(resident)].append(str(hospital))
    return {"seconds": seconds, "result": result}


def in_subprocess(function: str, seed: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", function, "--seed", str(seed)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["big", "package", "all"], default="all")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the big instance (median reported)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # The package deep-copies its players recursively: give it a deep stack in a thread of its own.
        sys.setrecursionlimit(1_000_000)
        threading.stack_size(1024 * 1024 * 1024)
        outcome = {}
        worker = threading.Thread(target=lambda: outcome.update(globals()[args.child](args.seed)))
        worker.start()
        worker.join()
        print(json.dumps(outcome))
        return

    if args.part in ("big", "all"):
        runs = [in_subprocess("run_big", args.seed) for _ in range(args.repeat)]
        last = runs[-1]
        print("100,000 candidates, 2,000 booths, 10 ranked, quota 3")
        print(f"  capacity / demand      {last['capacity_share_of_demand']}")
        print(f"  interviews             {last['interviews']:,} for {last['matched_candidates']:,} candidates")
        for key in ("stable_match_s", "schedule_s", "total_s", "total_cpu_s"):
            values = [run[key] for run in runs]
            print(f"  {key:<22} median {statistics.median(values):.2f} s  (runs: {values})")
        print(f"  slots used / minimum   {last['slots_used']} / {last['minimum_slots']}")
        print(f"  peak memory (process)  {max(run['peak_rss_mb_process'] for run in runs):.0f} MB "
              f"(of which input data ~{last['rss_before_engine_mb']:.0f} MB)")
        if any(run["slots_used"] != run["minimum_slots"] for run in runs):
            sys.exit("the schedule is longer than the minimum")

    if args.part in ("package", "all"):
        ours = in_subprocess("run_ours_quota_one", args.seed)
        theirs = in_subprocess("run_package_quota_one", args.seed)
        print("quota 1, 50,000 candidates, 2,000 booths, 10 ranked")
        print(f"  eventsapp.matching     {ours['seconds']:.2f} s")
        print(f"  matching package       {theirs['seconds']:.2f} s (game built and solved)")
        print(f"  speed-up               {theirs['seconds'] / ours['seconds']:.0f}×")
        same = ours["result"] == theirs["result"]
        print(f"  identical results      {same}")
        if not same:
            sys.exit("the results differ")


if __name__ == "__main__":
    main()
