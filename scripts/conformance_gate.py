"""Self-test of the gate itself, for scripts/conformance.py --self-test.

The other self-tests call the checks in-process; these run the real entry point
(conformance.py as a process, exactly as scripts/conformance runs it) and look only at
its exit code and output, so a gate that forgets to fail (a `main()` that returns 0, a
checker whose findings are dropped) fails here.

Each case weakens one object of a rendered bundle the way a hurried hand edit would:
  * a Deployment loses readOnlyRootFilesystem;
  * a NetworkPolicy gains an allow-all ingress peer (`- {}`);
  * a Role gains a wildcard verb;
  * the admission binding stops denying (Audit only).
The unweakened bundle must exit 0, each weakened one exit 1 naming the expected check.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ENTRY_POINT = Path(__file__).with_name("conformance.py")


@dataclass
class Weakening:
    what: str
    kind: str  # the kind of the object edited
    pattern: str  # regex on the file's text; only the first match is replaced
    repl: str
    expect: str  # a check id the gate output must name


CASES = [
    Weakening("a Deployment without readOnlyRootFilesystem", "Deployment",
              r"^[ \t]*readOnlyRootFilesystem:.*\n", "", "read-only-root-fs"),
    Weakening("a NetworkPolicy with an allow-all ingress peer", "NetworkPolicy",
              r"^([ \t]*)ingress:[ \t]*\n", r"\1ingress:\n\1  - {}\n", "netpol-no-allow-all"),
    Weakening("a Role with a wildcard verb", "Role",
              r"verbs: \[[^\]\n]*\]", 'verbs: ["*"]', "rbac-no-wildcards"),
    Weakening("an admission binding that only audits", "ValidatingAdmissionPolicyBinding",
              r"^[ \t]*- \"?Deny\"?[ \t]*\n", "", "admission-binding-denies"),
]


def kinds_in(path: Path) -> set[str]:
    try:
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError):
        return set()
    return {d.get("kind") for d in docs if isinstance(d, dict)}


def target(bundles: list[Path], case: Weakening) -> tuple[Path, Path] | None:
    """The first (bundle, file) holding an object of the case's kind that the pattern edits."""
    rx = re.compile(case.pattern, re.M)
    for b in bundles:
        for f in sorted(b.rglob("*.yaml")):
            if case.kind in kinds_in(f) and rx.search(f.read_text(encoding="utf-8")):
                return b, f
    return None


def run_gate(bundle: Path, na_path: Path) -> tuple[int, str]:
    p = subprocess.run([sys.executable, str(ENTRY_POINT), "--not-applicable", str(na_path), str(bundle)],
                       capture_output=True, text=True, timeout=1800)
    return p.returncode, p.stdout + p.stderr


def self_test_gate(bundles: list[Path], na_path: Path, work: Path, expect, log) -> None:
    """Runs the gate's entry point on each weakened bundle; `expect(cond, what)` records."""
    checked_bases: set[Path] = set()
    for i, case in enumerate(CASES, 1):
        log(f"\n== gate self-test {i}/{len(CASES)}: {case.what} must make the entry point exit 1")
        found = target(bundles, case)
        if found is None:
            expect(False, f"no rendered bundle has a {case.kind} that the weakening applies to")
            continue
        base, file = found
        if base not in checked_bases:
            checked_bases.add(base)
            rc, out = run_gate(base, na_path)
            expect(rc == 0, f"entry point on the unweakened bundle {base.name} exits 0 (got {rc}: {last_line(out)})")
        dst = work / f"gate-{i}-{base.name}"
        shutil.copytree(base, dst)
        edited = dst / file.relative_to(base)
        text, n = re.subn(case.pattern, case.repl, edited.read_text(encoding="utf-8"), count=1, flags=re.M)
        edited.write_text(text, encoding="utf-8")
        expect(n == 1, f"weakened {edited.relative_to(dst)}")
        rc, out = run_gate(dst, na_path)
        named = f"KUBEWARD {case.expect} " in out
        expect(rc == 1 and named,
               f"entry point exits {rc} (want 1) and names {case.expect}: {'yes' if named else 'no'} ({last_line(out)})")


def last_line(out: str) -> str:
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"
