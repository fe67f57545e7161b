"""Recall and false-alarm rate of a matcher on a labelled query set (tests and `make bench`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

from .matcher import IndexEntry


@dataclass
class EvaluationResult:
    name: str
    positives: int = 0
    found: int = 0
    negatives: int = 0
    false_alarms: int = 0
    misses: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0

    def row(self) -> dict:
        return {
            "matcher": self.name,
            "recall": round(self.recall, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "positives": self.positives,
            "negatives": self.negatives,
            "misses": self.misses,
            "false_alarms": self.alarms,
        }


def load_evaluation(directory: Path) -> tuple[list[IndexEntry], list[dict]]:
    """The evaluation watchlist (as index entries keyed by their id) and the labelled queries."""
    watchlist = json.loads((directory / "screening_watchlist.json").read_text("utf-8"))
    entries = [
        IndexEntry(
            key=row["id"],
            name=row["name"],
            aliases=tuple(row["aliases"]),
            country=row["country"],
            payload=row,
        )
        for row in watchlist["watchlist"]
    ]
    queries = json.loads((directory / "screening_eval.json").read_text("utf-8"))
    return entries, queries


def load_real_evaluation(directory: Path) -> tuple[list[IndexEntry], dict]:
    """The real-list watchlist (ASPI, Canada NRO, US 1260H) and its split labelled queries."""
    watchlist = json.loads((directory / "screening_real_watchlist.json").read_text("utf-8"))
    entries = [
        IndexEntry(
            key=row["id"],
            name=row["name"],
            aliases=tuple(row["aliases"]),
            country=row["country"],
            payload=row,
        )
        for row in watchlist["watchlist"]
    ]
    return entries, json.loads((directory / "screening_real_eval.json").read_text("utf-8"))


def evaluate_by_kind(
    name: str, queries: list[dict], search: Callable[[str], list[Hashable]]
) -> dict[str, EvaluationResult]:
    """`evaluate` overall ("all") and for each kind of writing (the queries' "class")."""
    results = {"all": EvaluationResult(name)}
    for item in queries:
        flagged = search(item["query"])
        for key in ("all", item["class"]):
            result = results.setdefault(key, EvaluationResult(f"{name} [{key}]"))
            _count(result, item, flagged)
    return results


def _count(result: EvaluationResult, item: dict, flagged: list[Hashable]) -> None:
    expected = item["expected"]
    accepted = set(expected) if isinstance(expected, list) else {expected}
    if expected:
        result.positives += 1
        if flagged and flagged[0] in accepted:
            result.found += 1
        else:
            result.misses.append(f"{item['query']} -> {flagged[:3]}")
    else:
        result.negatives += 1
        if flagged:
            result.false_alarms += 1
            result.alarms.append(f"{item['query']} -> {flagged[:3]}")


def evaluate(
    name: str, queries: list[dict], search: Callable[[str], list[Hashable]]
) -> EvaluationResult:
    """Score a search function returning the keys flagged for a query, best first."""
    result = EvaluationResult(name)
    for item in queries:
        flagged = search(item["query"])
        expected = item["expected"]
        # A list: the query names one institution that more than one list entry records.
        accepted = set(expected) if isinstance(expected, list) else {expected}
        if expected:
            result.positives += 1
            if flagged and flagged[0] in accepted:
                result.found += 1
            else:
                result.misses.append(f"{item['query']} -> {flagged[:3]}")
        else:
            result.negatives += 1
            if flagged:
                result.false_alarms += 1
                result.alarms.append(f"{item['query']} -> {flagged[:3]}")
    return result
