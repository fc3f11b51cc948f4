"""Agreement of kubeward with checkov on the realistic manifest tree.

For every checkov check that one of kubeward's rules names among its references
(`kubeward rules --format json`), count the objects checkov evaluated with that
check: flagged by both, by checkov only, by kubeward only. Printed by the
conformance run as a report; it does not fail the run (the two tools differ on
purpose in places, see docs/checkov-agreement.md), but a tool that cannot run
does (Fatal).

Objects are matched by place, not by name: an object is its file and the first
line of the lines checkov gives for it, and a kubeward finding belongs to the
innermost such object whose lines hold it. (The names differ: checkov calls an
object with only `generateName` after its labels, derives a Pod from each pod
template for its graph checks, and says `default` for a missing namespace.)
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

Key = tuple[str, int]  # (file relative to the tree, first line of the object)


@dataclass
class Row:
    check: str
    rules: list[str]
    both: int
    checkov_only: int
    kubeward_only: int

    @property
    def agree(self) -> float:
        n = self.both + self.checkov_only + self.kubeward_only
        return 1.0 if n == 0 else self.both / n


def rule_map(kubeward: str) -> dict[str, list[str]]:
    """checkov check id -> the kubeward rules that name it."""
    p = subprocess.run([kubeward, "rules", "--format", "json"], capture_output=True, text=True, check=True)
    out: dict[str, list[str]] = defaultdict(list)
    for rule in json.loads(p.stdout)["rules"]:
        for ref in rule["references"]:
            if ref.startswith(("CKV_K8S_", "CKV2_K8S_")):
                out[ref].append(rule["id"])
    return dict(out)


def checkov_key(result: dict) -> Key:
    return (str(result["file_path"]).lstrip("/"), int(result["file_line_range"][0]))


def kubeward_findings(kubeward: str, tree: Path) -> list[dict]:
    """Every finding (run in the tree, so file names are relative to it)."""
    p = subprocess.run([kubeward, "check", "--format", "json", "."], capture_output=True, text=True, cwd=tree)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"kubeward check exited {p.returncode}: {p.stderr[-2000:]}")
    return json.loads(p.stdout)["findings"]


def place(ranges: dict[str, list[tuple[int, int]]], finding: dict) -> Key | None:
    """The innermost checkov object whose lines hold the finding, if any."""
    holding = [(end - start, start) for start, end in ranges.get(finding["file"], [])
               if start <= (finding["line"] or 0) <= end]
    return (finding["file"], min(holding)[1]) if holding else None


def agreement(tree: Path, kubeward: str, run_checkov: Callable[[Path], list[dict]]) -> list[Row]:
    mapping = rule_map(kubeward)
    evaluated: dict[str, set[Key]] = defaultdict(set)
    failed: dict[str, set[Key]] = defaultdict(set)
    ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for rep in run_checkov(tree):
        results = rep.get("results", {})
        for status in ("passed_checks", "failed_checks"):
            for r in results.get(status, []) or []:
                key = checkov_key(r)
                ranges[key[0]].append(tuple(r["file_line_range"]))
                evaluated[r["check_id"]].add(key)
                if status == "failed_checks":
                    failed[r["check_id"]].add(key)
    ours: dict[str, set[Key]] = defaultdict(set)
    for f in kubeward_findings(kubeward, tree):
        key = place(ranges, f)
        if key is not None:
            ours[f["rule"]].add(key)
    rows = []
    for check in sorted(mapping, key=lambda c: int(c.rsplit("_", 1)[1])):
        scope = evaluated.get(check, set())
        if not scope:
            continue
        flagged = set().union(*(ours.get(rule, set()) for rule in mapping[check])) & scope
        theirs = failed.get(check, set())
        rows.append(Row(check, mapping[check], len(flagged & theirs), len(theirs - flagged), len(flagged - theirs)))
    return rows


def report(tree: str, rows: list[Row]) -> str:
    lines = [
        f"agreement with checkov on {tree} (objects checkov evaluated with the check):",
        f"  {'check':<12} {'kubeward rule(s)':<44} {'both':>5} {'checkov only':>13} {'kubeward only':>14} {'agree':>6}",
    ]
    for r in rows:
        lines.append(
            f"  {r.check:<12} {', '.join(r.rules):<44} {r.both:>5} {r.checkov_only:>13} {r.kubeward_only:>14} {r.agree:>6.0%}"
        )
    total = Row("total", [], sum(r.both for r in rows), sum(r.checkov_only for r in rows),
                sum(r.kubeward_only for r in rows))
    lines.append(
        f"  {'total':<12} {'':<44} {total.both:>5} {total.checkov_only:>13} {total.kubeward_only:>14} {total.agree:>6.0%}"
    )
    return "\n".join(lines)
