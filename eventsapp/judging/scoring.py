"""Score sheets to one score and rank per entry.

A sheet is one judge's points for one entry on a weighted rubric; its total is on a 0–100 scale:
``100 * sum(weight * points / max_points) / sum(weight)``. An entry's score is then

- ``mean``: the mean of its sheet totals;
- ``trimmed``: the same, after dropping the highest and the lowest total when it has 5 sheets or
  more (去掉一个最高分和一个最低分);
- ``zscore``: each judge's totals standardised against that judge's own mean and population
  standard deviation (0 for a judge with one sheet or no spread), put back on the scale of all
  totals (overall mean + overall population standard deviation × z), then averaged per entry — so
  a harsh judge and a generous one count the same.

Scores equal to 9 decimals share a rank (1, 2, 2, 4).
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Judge = Hashable
Entry = Hashable
Criterion = Hashable
Sheets = Mapping[tuple[Judge, Entry], Mapping[Criterion, float]]
Criteria = Mapping[Criterion, tuple[float, float]]

METHODS = ("mean", "trimmed", "zscore")
TRIM_FROM = 5  # sheets an entry needs before its highest and lowest totals are dropped
TIE_DECIMALS = 9  # scores equal to this many decimals share a rank
SPREAD_LIMIT = 20.0  # points (of 100) between an entry's highest and lowest total that ask for a second look


def _number(value, what: str) -> float:
    """A finite real number as a float (int, float, Decimal and Fraction from a form or a database)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise ValueError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def _rubric(criteria: Criteria) -> tuple[dict[Criterion, tuple[float, float]], float]:
    """Each criterion's (weight, max_points) as floats, and the sum of the weights."""
    rubric = {}
    for criterion, pair in criteria.items():
        try:
            weight, max_points = pair
        except (TypeError, ValueError):
            raise ValueError(f"criterion {criterion!r} must be a (weight, max_points) pair, not {pair!r}") from None
        weight = _number(weight, f"the weight of criterion {criterion!r}")
        max_points = _number(max_points, f"the max_points of criterion {criterion!r}")
        if weight < 0:
            raise ValueError(f"the weight of criterion {criterion!r} must not be negative, not {weight!r}")
        if max_points <= 0:
            raise ValueError(f"the max_points of criterion {criterion!r} must be above 0, not {max_points!r}")
        rubric[criterion] = (weight, max_points)
    total_weight = math.fsum(weight for weight, _ in rubric.values())
    if total_weight <= 0:
        raise ValueError("the weights of the criteria add up to 0: no sheet can be scored")
    return rubric, total_weight


_ALONE = object()  # a sheet scored on its own, without a judge and an entry to name


def _sheet(judge, entry) -> str:
    return "the sheet" if judge is _ALONE else f"the sheet of judge {judge!r} for entry {entry!r}"


def _sheet_total(judge: Judge, entry: Entry, points: Mapping[Criterion, float],
                 rubric: dict[Criterion, tuple[float, float]], total_weight: float) -> float:
    if points.keys() != rubric.keys():
        unknown = [criterion for criterion in points if criterion not in rubric]
        if unknown:
            raise ValueError(f"{_sheet(judge, entry)} scores an unknown criterion {unknown[0]!r}")
        missing = next(criterion for criterion in rubric if criterion not in points)
        raise ValueError(f"{_sheet(judge, entry)} has no points for criterion {missing!r}")
    terms = []
    for criterion, given in points.items():
        weight, max_points = rubric[criterion]
        if type(given) is not int and type(given) is not float:
            given = _number(given, f"the points on {criterion!r} in {_sheet(judge, entry)}")
        if not 0 <= given <= max_points:  # also refuses NaN
            raise ValueError(f"the points on {criterion!r} in {_sheet(judge, entry)} must be between 0 and "
                             f"{max_points:g}, not {given!r}")
        terms.append(weight * given / max_points)
    return 100 * math.fsum(terms) / total_weight


def sheet_total(points: Mapping[Criterion, float], criteria: Criteria) -> float:
    """One sheet's total on the 0–100 scale; ValueError for points outside 0..max_points, an
    unknown or missing criterion, or a bad rubric."""
    rubric, total_weight = _rubric(criteria)
    return _sheet_total(_ALONE, None, points, rubric, total_weight)


def sheet_totals(sheets: Sheets, criteria: Criteria) -> list[tuple[Judge, Entry, float]]:
    """(judge, entry, total) for every sheet, in the sheets' order: what :func:`score_details_of_totals`
    ranks. Kept by a caller, the totals of unchanged sheets need not be computed again. ValueError as
    :func:`aggregate`."""
    rubric, total_weight = _rubric(criteria)
    totals = []
    for key, points in sheets.items():
        if not isinstance(key, tuple) or len(key) != 2:
            raise ValueError(f"a sheet must be keyed by a (judge, entry) pair, not {key!r}")
        judge, entry = key
        totals.append((judge, entry, _sheet_total(judge, entry, points, rubric, total_weight)))
    return totals


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _pstdev(values: list[float], mean: float) -> float:
    return math.sqrt(math.fsum((value - mean) ** 2 for value in values) / len(values))


def _trimmed_mean(values: list[float]) -> float:
    if len(values) < TRIM_FROM:
        return _mean(values)
    ordered = sorted(values)
    return _mean(ordered[1:-1])


def _normalised(totals: list[tuple[Judge, Entry, float]]) -> list[float]:
    """Each sheet's total after z-scoring it within its judge and scaling back to all totals."""
    by_judge: dict[Judge, list[float]] = {}
    for judge, _, total in totals:
        values = by_judge.get(judge)
        if values is None:
            by_judge[judge] = [total]
        else:
            values.append(total)
    scale: dict[Judge, tuple[float, float]] = {}  # judge → (mean, pstdev), pstdev 0 when it has no spread
    for judge, values in by_judge.items():
        mean = _mean(values)
        # Compared, not computed: the mean of equal floats can differ from them in the last bit.
        flat = max(values) - min(values) <= 10 ** -TIE_DECIMALS
        scale[judge] = (mean, 0.0 if flat else _pstdev(values, mean))
    everything = [total for _, _, total in totals]
    overall_mean = _mean(everything)
    overall_spread = _pstdev(everything, overall_mean)
    normalised = []
    for judge, _, total in totals:
        mean, spread = scale[judge]
        normalised.append(overall_mean + overall_spread * ((total - mean) / spread if spread else 0.0))
    return normalised


def _per_entry(totals: list[tuple[Judge, Entry, float]], values: list[float]) -> dict[Entry, list[float]]:
    grouped: dict[Entry, list[float]] = {}
    for (_, entry, _), value in zip(totals, values, strict=True):
        grouped.setdefault(entry, []).append(value)
    return grouped


def _entry_scores(totals: list[tuple[Judge, Entry, float]], method: str) -> dict[Entry, float]:
    if method == "zscore":
        return {entry: _mean(values) for entry, values in _per_entry(totals, _normalised(totals)).items()}
    by_entry = _per_entry(totals, [total for _, _, total in totals])
    average = _trimmed_mean if method == "trimmed" else _mean
    return {entry: average(values) for entry, values in by_entry.items()}


def _ranked(scores: dict[Entry, float]) -> list[tuple[Entry, float, int]]:
    """Highest first; scores equal to TIE_DECIMALS share the rank of the first of them (1, 2, 2, 4).
    Ties keep the order in which the entries first appear in the sheets."""
    keyed = sorted(((round(score, TIE_DECIMALS), entry, score) for entry, score in scores.items()),
                   key=lambda item: -item[0])
    ranked = []
    previous, rank = None, 0
    for position, (key, entry, score) in enumerate(keyed, start=1):
        if key != previous:
            previous, rank = key, position
        ranked.append((entry, score, rank))
    return ranked


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")


def aggregate(sheets: Sheets, criteria: Criteria, method: str = "mean") -> list[tuple[Entry, float, int]]:
    """(entry, score, rank) for every entry with at least one sheet, highest score first.

    ``sheets`` maps (judge, entry) to that judge's {criterion: points}; ``criteria`` maps each
    criterion to (weight, max_points); ``method`` is "mean", "trimmed" or "zscore" (see the module).
    Raises ValueError for points outside 0..max_points, an unknown or missing criterion, a negative
    weight, weights adding up to 0, max_points not above 0, or an unknown method.
    """
    _check_method(method)
    totals = sheet_totals(sheets, criteria)
    if not totals:
        return []
    return _ranked(_entry_scores(totals, method))


@dataclass(frozen=True)
class EntryScore:
    """What the organizer sees beside an entry."""
    entry: Entry
    rank: int
    score: float  # by the round's method
    raw: float  # the mean of the sheet totals
    trimmed: float  # highest and lowest dropped from 5 sheets on
    normalised: float  # the z-score method's score
    sheets: int
    spread: float  # highest minus lowest of the values the method averages (see score_details)
    flagged: bool  # spread above the limit: worth a second look
    totals: tuple[tuple[Judge, float], ...]  # each judge's total, in the order of the sheets


def score_details(sheets: Sheets, criteria: Criteria, method: str = "mean",
                  spread_limit: float = SPREAD_LIMIT) -> list[EntryScore]:
    """:func:`aggregate`'s ranking with every figure beside it: raw, trimmed and normalised
    scores, the number of sheets, each judge's total, and the spread between the judges, flagged
    above ``spread_limit`` points. The spread is taken on what the method averages: the sheet
    totals, or with "zscore" the normalised totals — there a harsh and a generous judge do not
    disagree merely by being harsh and generous."""
    _check_method(method)
    return score_details_of_totals(sheet_totals(sheets, criteria), method, spread_limit)


def score_details_of_totals(totals: list[tuple[Judge, Entry, float]], method: str = "mean",
                            spread_limit: float = SPREAD_LIMIT) -> list[EntryScore]:
    """:func:`score_details` from the sheets' totals (:func:`sheet_totals`, or totals kept from before)."""
    _check_method(method)
    spread_limit = _number(spread_limit, "spread_limit")
    if spread_limit < 0:
        raise ValueError(f"spread_limit must not be negative, not {spread_limit!r}")
    if not totals:
        return []
    # One pass: each entry's judges, totals and normalised totals, in the order of the sheets (entries in
    # the order they first appear, which ties keep).
    grouped: dict[Entry, tuple[list[Judge], list[float], list[float]]] = {}
    for (judge, entry, total), value in zip(totals, _normalised(totals), strict=True):
        group = grouped.get(entry)
        if group is None:
            grouped[entry] = ([judge], [total], [value])
        else:
            group[0].append(judge)
            group[1].append(total)
            group[2].append(value)
    raw = {entry: _mean(values) for entry, (_, values, _) in grouped.items()}
    trimmed = {entry: _trimmed_mean(values) for entry, (_, values, _) in grouped.items()}
    normalised = {entry: _mean(values) for entry, (_, _, values) in grouped.items()}
    by_method = {"mean": raw, "trimmed": trimmed, "zscore": normalised}[method]
    spread_of = 2 if method == "zscore" else 1  # what the method averages: normalised or sheet totals
    details = []
    for entry, score, rank in _ranked(by_method):
        group = grouped[entry]
        spread = max(group[spread_of]) - min(group[spread_of])
        details.append(EntryScore(entry, rank, score, raw[entry], trimmed[entry], normalised[entry],
                                  len(group[1]), spread, spread > spread_limit,
                                  tuple(zip(group[0], group[1], strict=True))))
    return details
