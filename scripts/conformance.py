#!/usr/bin/env python3
"""External conformance check for kubeward bundles.

Runs inside the venv that scripts/conformance sets up. For every bundle
directory given on the command line it runs:

  * kubernetes-validate (strict schemas, newest Kubernetes version the
    package ships) on every document of every file listed in the bundle's
    kustomization.yaml `resources:`;
  * checkov (--framework kubernetes), once per bundle;
  * yamllint -d relaxed on every *.yaml / *.yml file of the bundle
    (errors fail, warnings do not);
  * trivy config (Kubernetes misconfiguration checks, offline), once per bundle;
  * check-jsonschema (built-in GitHub workflow / GitLab CI schemas) on every CI
    file of the bundle, and zizmor (offline, pedantic) on every GitHub workflow
    (see conformance_tools.py).

Any schema error, yamllint error, workflow-schema error, or checkov, trivy or
zizmor failure that is not declared not-applicable in
scripts/conformance-not-applicable.yaml fails the run (exit 1). Internal
trouble (a tool that crashes, unparsable tool output) exits 2. The last line
printed is always the summary line:

  conformance: bundles=N docs=N kubeward_findings=N schema_errors=N checkov_failed=N yamllint_errors=N trivy_failed=N workflows=N workflow_schema_errors=N zizmor_findings=N

Before the external tools, `kubeward check --fail-on warning` (the binary in
KUBEWARD_BIN) runs on every bundle: a bundle must pass its own catalogue.

With --self-test the bundle is used as a known-good input: mutated copies
are checked and must fail with the expected checker message (see
self_test()), and weakened copies run through this script's real entry point
must make it exit 1 (see conformance_gate.py).
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils as kv
import referencing
import yaml
from kubernetes_validate.version import __version__ as KV_VERSION

import conformance_agreement as agreement
import conformance_tools as ct
import conformance_gate as cg

SCRIPT_DIR = Path(__file__).resolve().parent
DEFAULT_NOT_APPLICABLE = SCRIPT_DIR / "conformance-not-applicable.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
CHECK_ID_RE = re.compile(r"^CKV2?_K8S_[0-9]+$")


class Fatal(Exception):
    """Internal error: a checker could not run or produced garbage."""


# --------------------------------------------------------------------------
# results


@dataclass
class Finding:
    checker: str  # "kubeward" | "schema" | "checkov" | "yamllint" | "trivy" | "workflow-schema" | "zizmor"
    bundle: str
    file: str  # path relative to the bundle
    obj: str  # kind/name, checkov resource id, or "" for yamllint
    message: str
    check_id: str = ""

    def line(self) -> str:
        if self.checker == "checkov":
            return f"  CHECKOV {self.check_id} {self.obj} {self.file}: {self.message}"
        if self.checker == "schema":
            return f"  SCHEMA {self.file} {self.obj}: {self.message}"
        if self.checker == "kubeward":
            return f"  KUBEWARD {self.check_id} {self.obj} {self.file}: {self.message}"
        if self.checker == "trivy":
            return f"  TRIVY {self.check_id} {self.obj} {self.file}: {self.message}"
        if self.checker == "workflow-schema":
            return f"  WORKFLOW-SCHEMA {self.file} {self.obj}: {self.message}"
        if self.checker == "zizmor":
            return f"  ZIZMOR {self.check_id} {self.file} {self.obj}: {self.message}"
        return f"  YAMLLINT {self.file}: {self.message}"


@dataclass
class Result:
    bundles: int = 0
    docs: int = 0
    workflows: int = 0
    findings: list[Finding] = field(default_factory=list)
    not_applicable_used: int = 0

    def count(self, checker: str) -> int:
        return sum(1 for f in self.findings if f.checker == checker)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        return (
            f"conformance: bundles={self.bundles} docs={self.docs} "
            f"kubeward_findings={self.count('kubeward')} "
            f"schema_errors={self.count('schema')} "
            f"checkov_failed={self.count('checkov')} "
            f"yamllint_errors={self.count('yamllint')} "
            f"trivy_failed={self.count('trivy')} "
            f"workflows={self.workflows} "
            f"workflow_schema_errors={self.count('workflow-schema')} "
            f"zizmor_findings={self.count('zizmor')}"
        )

    def extend(self, other: "Result") -> None:
        self.bundles += other.bundles
        self.docs += other.docs
        self.workflows += other.workflows
        self.findings.extend(other.findings)
        self.not_applicable_used += other.not_applicable_used


def log(msg: str = "") -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
# not-applicable list


@dataclass
class Exemption:
    check_id: str
    reason: str
    kind: str | None = None
    resource: str | None = None  # fnmatch glob on checkov's resource id
    used: int = 0

    def matches(self, check_id: str, resource: str) -> bool:
        if check_id != self.check_id:
            return False
        if self.kind is not None and resource.split(".", 1)[0] != self.kind:
            return False
        if self.resource is not None and not fnmatch.fnmatchcase(resource, self.resource):
            return False
        return True


def load_not_applicable(path: Path) -> tuple[list[Exemption], list[str]]:
    """Returns (exemptions, problems). Every problem fails the run."""
    problems: list[str] = []
    if not path.is_file():
        return [], [f"{path}: missing (it must exist, `checks: []` when empty)"]
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        return [], [f"{path}: not valid YAML: {e}"]
    if (not isinstance(data, dict) or "checks" not in data or set(data) - {"checks", "trivy", "zizmor"}
            or not isinstance(data["checks"], list)):
        return [], [f"{path}: must be a mapping with a key `checks:` holding a list "
                    "(and optionally `trivy:` and `zizmor:` lists)"]
    out: list[Exemption] = []
    allowed = {"id", "reason", "kind", "resource"}
    for i, entry in enumerate(data["checks"]):
        where = f"{path.name}: checks[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with id and reason")
            continue
        extra = set(entry) - allowed
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)} (allowed: {sorted(allowed)})")
        cid = entry.get("id")
        reason = entry.get("reason")
        if not isinstance(cid, str) or not CHECK_ID_RE.match(cid):
            problems.append(f"{where}: `id` must be a checkov Kubernetes check id such as CKV_K8S_22, got {cid!r}")
            continue
        if not isinstance(reason, str) or not reason.strip():
            problems.append(f"{where} ({cid}): has no written `reason` - every not-applicable entry needs one")
            continue
        for key in ("kind", "resource"):
            if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
                problems.append(f"{where} ({cid}): `{key}` must be a non-empty string when given")
        out.append(Exemption(cid, reason.strip(), entry.get("kind"), entry.get("resource")))
    return out, problems


def load_tool_not_applicable(path: Path) -> tuple[dict[str, list[ct.ToolExemption]], list[str]]:
    """The `trivy:` and `zizmor:` lists of the not-applicable file (problems of the
    file's overall shape are reported by load_not_applicable)."""
    try:
        data = yaml.safe_load(path.read_text()) if path.is_file() else {}
    except yaml.YAMLError:
        return {}, []
    if not isinstance(data, dict):
        return {}, []
    out, problems = {}, []
    for key, rx in (("trivy", ct.TRIVY_ID_RE), ("zizmor", ct.ZIZMOR_ID_RE)):
        out[key], p = ct.load_tool_exemptions(data, key, rx, path.name)
        problems += p
    return out, problems


def apply_tool_exemptions(label: str, hits: list[ct.Hit], exemptions: dict[str, list[ct.ToolExemption]],
                          res: Result) -> None:
    for h in hits:
        hit = next((e for e in exemptions.get(h.checker, []) if e.matches(h)), None)
        if hit is not None:
            hit.used += 1
            res.not_applicable_used += 1
            continue
        res.findings.append(Finding(h.checker, label, h.file, h.obj, h.message, h.check_id))


# --------------------------------------------------------------------------
# kubernetes-validate


class SchemaValidator:
    """Strict kubernetes-validate schemas, loaded once per process.

    Mirrors kubernetes_validate.utils.validate() (same schema files, same
    registry, same Draft 2020-12 validator) but caches the parsed schemas and
    compiled validators, and reports *all* errors of a document instead of
    only the first. Every document is also passed through the library's own
    validate() (sharing the cache) so a divergence between the two cannot
    hide an error.
    """

    def __init__(self) -> None:
        self.version = kv.latest_version()  # newest bundled schema dir
        self.schema_dir = f"v{self.version}-local-strict"
        root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
        if not (root / self.schema_dir / "_definitions.json").is_file():
            raise Fatal(f"kubernetes-validate {KV_VERSION}: no strict schemas at {root / self.schema_dir}")
        # The library re-reads and re-parses the schema JSON on every call;
        # a process-wide cache makes that once per file.
        if not hasattr(kv.schema_contents, "cache_info"):
            kv.schema_contents = functools.lru_cache(maxsize=None)(kv.schema_contents)
        self._defs = kv.schema_contents(f"kubernetes-json-schema/{self.schema_dir}/_definitions.json", self.version)
        # Same YAML quirk handling as the library's own file reader.
        yaml.SafeLoader.add_constructor("tag:yaml.org,2002:value", kv.construct_value)
        self._validators: dict[tuple[str, str], jsonschema.protocols.Validator] = {}

    def describe(self) -> str:
        return (
            f"kubernetes-validate {KV_VERSION}: strict schemas for Kubernetes {self.version} "
            f"(newest it ships; {self.schema_dir})"
        )

    def _validator(self, api_version: str, kind: str) -> jsonschema.protocols.Validator:
        key = (api_version, kind)
        if key not in self._validators:
            group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
            try:
                schema = kv.schema_contents(
                    f"kubernetes-json-schema/{self.schema_dir}/{kind.lower()}-{group}.json", self.version
                )
            except FileNotFoundError:
                raise kv.SchemaNotFoundError(version=self.version, kind=kind, api_version=api_version)
            registry = referencing.Resource.from_contents(schema) @ referencing.Registry()
            registry = referencing.Resource.from_contents(self._defs) @ registry
            self._validators[key] = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        return self._validators[key]

    def errors(self, doc: Any) -> list[str]:
        if not isinstance(doc, dict):
            return [f"document is a {type(doc).__name__}, not a mapping"]
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
            return ["document has no apiVersion/kind"]
        try:
            validator = self._validator(api_version, kind)
        except kv.SchemaNotFoundError as e:
            return [e.message]
        out = []
        # The OpenAPI schema leaves metadata.name optional (generateName), but
        # the API server rejects an object with neither; kubectl apply needs a name.
        meta = doc.get("metadata")
        if not isinstance(meta, dict) or not (meta.get("name") or meta.get("generateName")):
            out.append("$.metadata.name: missing (the API server rejects an object without a name)")
        n_name_errors = len(out)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            msg = err.message
            if err.context:
                msg += f" (best match: {jsonschema.exceptions.best_match(err.context).message})"
            out.append(f"{err.json_path}: {msg}")
        # Cross-check with the library's own entry point.
        try:
            kv.validate(doc, self.version, strict=True)
        except kv.ValidationError as e:
            if len(out) == n_name_errors:  # our validator found nothing: never hide the library's verdict
                out.append(f"{e.json_path}: {e.message} (kubernetes_validate.utils.validate)")
        except kv.SchemaNotFoundError as e:
            if len(out) == n_name_errors:
                out.append(e.message)
        return out


def obj_name(doc: Any) -> str:
    if not isinstance(doc, dict):
        return "?/?"
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = meta.get("name") or "<no metadata.name>"
    ns = meta.get("namespace")
    return f"{doc.get('kind', '?')}/{ns + '/' if ns else ''}{name}"


def read_resources(bundle: Path) -> tuple[list[str], list[str]]:
    """Returns (resource paths relative to bundle, problems)."""
    kfile = None
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        if (bundle / name).is_file():
            kfile = bundle / name
            break
    if kfile is None:
        return [], ["no kustomization.yaml at the bundle root"]
    try:
        k = yaml.safe_load(kfile.read_text())
    except yaml.YAMLError as e:
        return [], [f"{kfile.name}: not valid YAML: {e}"]
    res = k.get("resources") if isinstance(k, dict) else None
    if not isinstance(res, list) or not res:
        return [], [f"{kfile.name}: `resources:` must be a non-empty list"]
    out, problems = [], []
    seen = set()
    for r in res:
        if not isinstance(r, str):
            problems.append(f"{kfile.name}: resources entry {r!r} is not a string")
            continue
        p = (bundle / r).resolve()
        if bundle.resolve() not in p.parents:
            problems.append(f"{kfile.name}: resource {r} is outside the bundle")
        elif not p.is_file():
            problems.append(f"{kfile.name}: resource {r} is not a file in the bundle")
        elif r in seen:
            problems.append(f"{kfile.name}: resource {r} is listed twice")
        else:
            seen.add(r)
            out.append(r)
    return out, problems


def check_schema(bundle: Path, sv: SchemaValidator, res: Result) -> list[dict]:
    """Validates every doc of every resource file; returns the docs (with __file)."""
    label = bundle.name
    files, problems = read_resources(bundle)
    for p in problems:
        res.findings.append(Finding("schema", label, "kustomization.yaml", "Kustomization", p))
    docs = []
    for rel in files:
        try:
            loaded = [d for d in yaml.safe_load_all((bundle / rel).read_text()) if d is not None]
        except yaml.YAMLError as e:
            res.findings.append(Finding("schema", label, rel, "?", f"not valid YAML: {e}"))
            continue
        if not loaded:
            res.findings.append(Finding("schema", label, rel, "?", "listed in resources but holds no document"))
        for doc in loaded:
            res.docs += 1
            for err in sv.errors(doc):
                res.findings.append(Finding("schema", label, rel, obj_name(doc), err))
            if isinstance(doc, dict):
                docs.append({"file": rel, "doc": doc})
    return docs


# --------------------------------------------------------------------------
# checkov


def checkov_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CKV_SKIP_PACKAGE_UPDATE_CHECK="true",
        BC_SKIP_MAPPING="TRUE",
        # Keep checkov's own logging quiet-ish; JSON still goes to stdout.
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
    )
    return env


def checkov_bin() -> str:
    cand = Path(sys.executable).parent / "checkov"
    if cand.is_file():
        return str(cand)
    found = shutil.which("checkov")
    if not found:
        raise Fatal("checkov is not installed in this Python environment")
    return found


def run_checkov(bundle: Path) -> list[dict]:
    cmd = [
        checkov_bin(),
        "--framework", "kubernetes",
        "-o", "json",
        "--compact",
        "--skip-download",
        "-d", str(bundle),
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, env=checkov_env())
    # checkov exits 1 when checks fail; anything else non-zero is a crash.
    if p.returncode not in (0, 1):
        raise Fatal(f"checkov exited {p.returncode} on {bundle}\n--- stderr ---\n{p.stderr[-4000:]}")
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise Fatal(
            f"checkov printed no JSON for {bundle} (rc={p.returncode})\n--- stdout ---\n"
            f"{p.stdout[-2000:]}\n--- stderr ---\n{p.stderr[-4000:]}"
        )
    reports = data if isinstance(data, list) else [data]
    if not all(isinstance(r, dict) for r in reports):
        raise Fatal(f"unexpected checkov JSON shape for {bundle}")
    return reports


def check_checkov(bundle: Path, exemptions: list[Exemption], res: Result, n_docs: int) -> None:
    label = bundle.name
    reports = run_checkov(bundle)
    resource_count = 0
    parsing_errors: list[str] = []
    for rep in reports:
        if "results" not in rep:  # summary-only output: nothing was scanned
            resource_count += int(rep.get("resource_count", 0) or 0)
            continue
        if rep.get("check_type") not in (None, "kubernetes"):
            continue
        summary = rep.get("summary", {})
        resource_count += int(summary.get("resource_count", 0) or 0)
        results = rep["results"]
        parsing_errors += list(results.get("parsing_errors", []) or [])
        for status, items in (("failed", results.get("failed_checks", [])), ("skipped", results.get("skipped_checks", []))):
            for f in items or []:
                cid, resource = f.get("check_id", "?"), f.get("resource", "?")
                fpath = str(f.get("file_path", "?")).lstrip("/")
                hit = next((e for e in exemptions if e.matches(cid, resource)), None)
                if hit is not None:
                    hit.used += 1
                    res.not_applicable_used += 1
                    continue
                msg = f.get("check_name", "")
                if status == "skipped":
                    # An inline `checkov.io/skip` annotation hides a failure from
                    # the gate; exemptions belong in the checked-in list.
                    msg = (f"{msg} [suppressed inline: {f.get('check_result', {}).get('suppress_comment', '')!r}; "
                           f"declare it in {DEFAULT_NOT_APPLICABLE.name} instead]")
                res.findings.append(Finding("checkov", label, fpath, resource, msg, cid))
    for pe in parsing_errors:
        res.findings.append(Finding("checkov", label, str(pe), "-", "checkov could not parse this file", "PARSE_ERROR"))
    if n_docs and resource_count == 0:
        res.findings.append(Finding("checkov", label, ".", "-",
                                    f"checkov scanned no resources although the bundle has {n_docs} documents",
                                    "NO_RESOURCES"))


# --------------------------------------------------------------------------
# yamllint


def yaml_files(bundle: Path) -> list[Path]:
    return sorted(p for p in bundle.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES)


def check_yamllint(bundle: Path, res: Result) -> None:
    label = bundle.name
    files = yaml_files(bundle)
    if not files:
        res.findings.append(Finding("yamllint", label, ".", "", "bundle holds no *.yaml/*.yml file"))
        return
    cmd = [sys.executable, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", *map(str, files)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1, 2):
        raise Fatal(f"yamllint exited {p.returncode}\n{p.stderr[-4000:]}")
    # parsable: FILE:LINE:COL: [LEVEL] MESSAGE (RULE)
    line_re = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+): \[(?P<level>error|warning)\] (?P<msg>.*)$")
    errors = 0
    for line in p.stdout.splitlines():
        m = line_re.match(line)
        if not m:
            if line.strip():
                raise Fatal(f"unexpected yamllint output line: {line!r}")
            continue
        if m["level"] != "error":
            continue
        errors += 1
        rel = os.path.relpath(m["file"], bundle)
        res.findings.append(Finding("yamllint", label, rel, "", f"{m['line']}:{m['col']}: {m['msg']}"))
    if p.returncode == 1 and errors == 0:
        raise Fatal(f"yamllint exited 1 but printed no error\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    # yamllint honours `# yamllint disable` comments; the gate does not.
    for f in files:
        for n, text in enumerate(f.read_text(errors="replace").splitlines(), 1):
            if re.search(r"#\s*yamllint\s+disable", text):
                res.findings.append(Finding("yamllint", label, str(f.relative_to(bundle)), "",
                                            f"{n}: `yamllint disable` comment is not allowed in generated output"))


# --------------------------------------------------------------------------
# driver


def check_bundle(bundle: Path, sv: SchemaValidator, exemptions: list[Exemption],
                 tool_exemptions: dict[str, list[ct.ToolExemption]]) -> Result:
    res = Result(bundles=1)
    t0 = time.monotonic()
    check_schema(bundle, sv, res)
    t1 = time.monotonic()
    check_checkov(bundle, exemptions, res, res.docs)
    t2 = time.monotonic()
    check_yamllint(bundle, res)
    t3 = time.monotonic()
    try:
        apply_tool_exemptions(bundle.name, ct.run_kubeward(bundle), tool_exemptions, res)
        tk = time.monotonic()
        apply_tool_exemptions(bundle.name, ct.run_trivy(bundle), tool_exemptions, res)
        t4 = time.monotonic()
        res.workflows, hits = ct.check_workflows(bundle)
        apply_tool_exemptions(bundle.name, hits, tool_exemptions, res)
    except (ct.ToolError, subprocess.TimeoutExpired) as e:
        raise Fatal(str(e))
    t5 = time.monotonic()
    log(f"bundle {bundle.name}: docs={res.docs} kubeward_findings={res.count('kubeward')} "
        f"schema_errors={res.count('schema')} "
        f"checkov_failed={res.count('checkov')} yamllint_errors={res.count('yamllint')} "
        f"trivy_failed={res.count('trivy')} workflows={res.workflows} "
        f"workflow_schema_errors={res.count('workflow-schema')} zizmor_findings={res.count('zizmor')} "
        f"(schema {t1 - t0:.1f}s, checkov {t2 - t1:.1f}s, yamllint {t3 - t2:.1f}s, "
        f"kubeward {tk - t3:.1f}s, trivy {t4 - tk:.1f}s, workflows {t5 - t4:.1f}s)")
    for f in res.findings:
        log(f.line())
    return res


def check_repo_workflows(tool_exemptions: dict[str, list[ct.ToolExemption]]) -> Result:
    """The repository's example CI workflows (examples/ci/): workflow schema and zizmor."""
    res = Result()
    try:
        res.workflows, hits = ct.check_repo_workflows(SCRIPT_DIR.parent)
    except (ct.ToolError, subprocess.TimeoutExpired) as e:
        raise Fatal(str(e))
    apply_tool_exemptions("examples", hits, tool_exemptions, res)
    log(f"examples/ci: workflows={res.workflows} workflow_schema_errors={res.count('workflow-schema')} "
        f"zizmor_findings={res.count('zizmor')}")
    for f in res.findings:
        log(f.line())
    return res


def check_all(bundles: list[Path], sv: SchemaValidator, na_path: Path) -> Result:
    exemptions, problems = load_not_applicable(na_path)
    tool_exemptions, tool_problems = load_tool_not_applicable(na_path)
    total = Result()
    for p in problems + tool_problems:
        log(f"NOT-APPLICABLE LIST ERROR: {p}")
        # Counted with checkov, the list's first and main user.
        total.findings.append(Finding("checkov", "-", str(na_path.name), "-", p, "NOT_APPLICABLE_LIST"))
    for b in bundles:
        total.extend(check_bundle(b, sv, exemptions, tool_exemptions))
    total.extend(check_repo_workflows(tool_exemptions))
    for e in [*exemptions, *tool_exemptions.get("trivy", []), *tool_exemptions.get("zizmor", [])]:
        if e.used == 0:
            log(f"note: not-applicable entry {e.check_id} matched nothing in this run")
    return total


def validate_bundle_args(paths: list[str]) -> list[Path]:
    out = []
    for s in paths:
        p = Path(s)
        if not p.is_dir():
            raise Fatal(f"bundle {s} is not a directory")
        out.append(p.resolve())
    if not out:
        raise Fatal("no bundles to check")
    names = [p.name for p in out]
    if len(set(names)) != len(names):
        log("note: several bundles share a directory name; findings are labelled by name")
    return out


# --------------------------------------------------------------------------
# self-test


def deployment_files(bundle: Path) -> list[Path]:
    files, _ = read_resources(bundle)
    out = []
    for rel in files:
        try:
            docs = list(yaml.safe_load_all((bundle / rel).read_text()))
        except yaml.YAMLError:
            continue
        if any(isinstance(d, dict) and d.get("kind") == "Deployment" for d in docs):
            out.append(bundle / rel)
    return out


def mutate(bundle: Path, work: Path, name: str, fn) -> tuple[Path, int]:
    """Copies the bundle to work/name and applies fn(text)->(text, n) to its Deployment files."""
    dst = work / name
    shutil.copytree(bundle, dst)
    changed = 0
    for f in deployment_files(dst):
        new, n = fn(f.read_text())
        if n:
            f.write_text(new)
            changed += n
    return dst, changed


def drop_lines(pattern: str):
    rx = re.compile(pattern)

    def fn(text: str) -> tuple[str, int]:
        lines = text.splitlines(keepends=True)
        kept = [ln for ln in lines if not rx.search(ln)]
        return "".join(kept), len(lines) - len(kept)

    return fn


def rename_key(old: str, new: str):
    rx = re.compile(rf"^(\s*(?:-\s+)?){re.escape(old)}(\s*:)", re.M)

    def fn(text: str) -> tuple[str, int]:
        return rx.subn(rf"\g<1>{new}\g<2>", text)

    return fn


def self_test(bundles: list[Path], sv: SchemaValidator, na_path: Path) -> int:
    exemptions_ok = not load_not_applicable(na_path)[1]
    base = next((b for b in bundles if deployment_files(b)), None)
    passed, failed = 0, 0

    def expect(cond: bool, what: str) -> None:
        nonlocal passed, failed
        if cond:
            passed += 1
            log(f"self-test PASS: {what}")
        else:
            failed += 1
            log(f"self-test FAIL: {what}")

    if base is None:
        log("self-test FAIL: no bundle contains a Deployment listed in kustomization.yaml resources")
        log("self-test: 0 passed, 1 failed")
        return 1
    expect(exemptions_ok, f"{na_path.name} is well-formed")

    with tempfile.TemporaryDirectory(prefix="kubeward-selftest-") as tmp:
        work = Path(tmp)

        n_tests = 9
        log(f"\n== self-test 1/{n_tests}: unmutated bundle {base.name} must pass")
        r = check_all([base], sv, na_path)
        log(r.summary())
        expect(r.ok and r.docs > 0, f"unmutated bundle passes ({r.summary()})")

        log(f"\n== self-test 2/{n_tests}: Deployment without readOnlyRootFilesystem must fail CKV_K8S_22")
        mut_rofs, n = mutate(base, work, "mutant-no-readonly-rootfs", drop_lines(r"\breadOnlyRootFilesystem\b"))
        expect(n > 0, f"mutation removed {n} readOnlyRootFilesystem line(s)")
        r = check_all([mut_rofs], sv, na_path)
        log(r.summary())
        hits = [f for f in r.findings if f.checker == "checkov" and f.check_id == "CKV_K8S_22"]
        expect(not r.ok and bool(hits),
               f"gate fails naming CKV_K8S_22 ({hits[0].message if hits else 'not reported'})")

        log(f"\n== self-test 3/{n_tests}: typo runAsNonRoot -> runAsNonroot must fail the strict schema")
        mut, n = mutate(base, work, "mutant-typo-runasnonroot", rename_key("runAsNonRoot", "runAsNonroot"))
        expect(n > 0, f"mutation renamed {n} runAsNonRoot key(s)")
        r = check_all([mut], sv, na_path)
        log(r.summary())
        hits = [f for f in r.findings if f.checker == "schema" and "'runAsNonroot' was unexpected" in f.message]
        expect(not r.ok and bool(hits),
               f"gate fails with a strict-schema error naming runAsNonroot ({hits[0].message if hits else 'not reported'})")

        log(f"\n== self-test 4/{n_tests}: trailing spaces in a Deployment file must fail yamllint")
        mut, n = mutate(base, work, "mutant-trailing-spaces",
                        lambda t: re.subn(r"^(kind:[ \t]*Deployment)[ \t]*$", r"\1   ", t, flags=re.M))
        expect(n > 0, f"mutation added trailing spaces to {n} line(s)")
        r = check_all([mut], sv, na_path)
        log(r.summary())
        hits = [f for f in r.findings if f.checker == "yamllint" and "trailing-spaces" in f.message]
        expect(not r.ok and bool(hits),
               f"gate fails with a yamllint error ({hits[0].message if hits else 'not reported'})")

        log(f"\n== self-test 5/{n_tests}: not-applicable list: an entry needs a reason; a reasoned one is honoured")
        bad = work / "na-no-reason.yaml"
        bad.write_text("checks:\n  - id: CKV_K8S_22\n    kind: Deployment\n    reason: '  '\n")
        r = check_all([mut_rofs], sv, bad)
        log(r.summary())
        listed = [f for f in r.findings if f.check_id == "NOT_APPLICABLE_LIST"]
        still = [f for f in r.findings if f.check_id == "CKV_K8S_22"]
        expect(not r.ok and bool(listed) and bool(still),
               "an entry without a reason fails the gate and suppresses nothing")
        good = work / "na-reasoned.yaml"
        # The project's own list plus one entry for the mutant's failure: the base bundle
        # may need the project's entries (e.g. the log shipper's), and Trivy's finding on
        # the mutant remains, so the checkov part of the gate is what must now pass.
        listed = yaml.safe_load(na_path.read_text(encoding="utf-8")) or {}
        listed.setdefault("checks", []).append({
            "id": "CKV_K8S_22", "kind": "Deployment",
            "reason": "self-test only - proves a reasoned, scoped entry is honoured",
        })
        good.write_text(yaml.safe_dump(listed), encoding="utf-8")
        r = check_all([mut_rofs], sv, good)
        log(r.summary())
        expect(r.count("checkov") == 0 and r.not_applicable_used > 0,
               "a reasoned entry turns the CKV_K8S_22 failure into a checkov pass")

        self_test_tools(bundles, sv, na_path, work, mut_rofs, expect)
        cg.self_test_gate(bundles, na_path, work, expect, log)

    log(f"\nself-test: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def mutate_ci(bundle: Path, work: Path, name: str, pattern: str, repl: str, schema: str) -> tuple[Path, int]:
    """Copies the bundle and applies a regex substitution to its CI files of `schema`."""
    dst = work / name
    shutil.copytree(bundle, dst)
    changed = 0
    for f, sch in ct.workflows(dst):
        if sch == schema:
            text, n = re.subn(pattern, repl, f.read_text(), flags=re.M)
            f.write_text(text)
            changed += n
    return dst, changed


def self_test_tools(bundles: list[Path], sv: SchemaValidator, na_path: Path, work: Path,
                    mut_rofs: Path, expect) -> None:
    """Self-tests 6-9: Trivy, the workflow schemas and zizmor bite."""
    gh = next((b for b in bundles if any(s == "vendor.github-workflows" for _, s in ct.workflows(b))), None)
    gl = next((b for b in bundles if any(s == "vendor.gitlab-ci" for _, s in ct.workflows(b))), None)

    log("\n== self-test 6/9: Deployment without readOnlyRootFilesystem must fail Trivy KSV-0014")
    r = check_all([mut_rofs], sv, na_path)
    hits = [f for f in r.findings if f.checker == "trivy" and f.check_id == "KSV-0014"]
    expect(bool(hits), f"gate fails naming Trivy KSV-0014 ({hits[0].message if hits else 'not reported'})")

    log("\n== self-test 7/9: a GitHub action pinned by tag instead of commit SHA must fail zizmor")
    if gh is None:
        expect(False, "no rendered bundle has a GitHub workflow")
    else:
        mut, n = mutate_ci(gh, work, "mutant-unpinned-action", r"(uses: [^@\s]+)@[0-9a-f]{40}", r"\1@v4",
                           "vendor.github-workflows")
        expect(n > 0, f"mutation unpinned {n} action(s)")
        r = check_all([mut], sv, na_path)
        log(r.summary())
        hits = [f for f in r.findings if f.checker == "zizmor" and f.check_id == "unpinned-uses"]
        expect(not r.ok and bool(hits), f"gate fails with zizmor unpinned-uses ({hits[0].line().strip() if hits else 'not reported'})")

    log("\n== self-test 8/9: a misspelt key must fail the GitHub workflow and GitLab CI schemas")
    for base, schema, pattern, repl in ((gh, "vendor.github-workflows", r"^(\s+)runs-on:", r"\1runs_on:"),
                                        (gl, "vendor.gitlab-ci", r"^  script:", "  scripts:")):
        if base is None:
            expect(False, f"no rendered bundle has a {schema} file")
            continue
        mut, n = mutate_ci(base, work, f"mutant-{schema}", pattern, repl, schema)
        r = check_all([mut], sv, na_path)
        log(r.summary())
        hits = [f for f in r.findings if f.checker == "workflow-schema" and f.check_id == schema]
        expect(n > 0 and bool(hits), f"{schema}: gate fails ({hits[0].message[:120] if hits else 'not reported'})")

    log("\n== self-test 9/9: a Trivy not-applicable entry needs a reason; a reasoned one is honoured")
    bad = work / "na-trivy-no-reason.yaml"
    bad.write_text("checks: []\ntrivy:\n  - id: KSV-0014\n    reason: ''\n")
    r = check_all([mut_rofs], sv, bad)
    listed = [f for f in r.findings if f.check_id == "NOT_APPLICABLE_LIST"]
    still = [f for f in r.findings if f.check_id == "KSV-0014"]
    expect(bool(listed) and bool(still), "a Trivy entry without a reason fails the gate and suppresses nothing")
    good = work / "na-trivy-reasoned.yaml"
    good.write_text("checks: []\ntrivy:\n  - id: KSV-0014\n    file: '*/deployment.yaml'\n"
                    "    reason: self-test only - proves a reasoned, scoped entry is honoured\n")
    r = check_all([mut_rofs], sv, good)
    still = [f for f in r.findings if f.check_id == "KSV-0014"]
    expect(not still and r.not_applicable_used > 0, "a reasoned Trivy entry drops KSV-0014")


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bundles", nargs="+", help="rendered bundle directories")
    ap.add_argument("--self-test", action="store_true", help="prove the gate fails on mutated bundles")
    ap.add_argument("--not-applicable", default=str(DEFAULT_NOT_APPLICABLE), help=argparse.SUPPRESS)
    ap.add_argument("--agreement", metavar="TREE",
                    help="also print kubeward's agreement with checkov on this manifest tree")
    ap.add_argument("--kubeward", metavar="BIN", help="the kubeward binary (for --agreement)")
    args = ap.parse_args(argv)
    na_path = Path(args.not_applicable)

    try:
        bundles = validate_bundle_args(args.bundles)
        sv = SchemaValidator()
        log(sv.describe())
        log(f"checkov {checkov_version()}, yamllint {yamllint_version()}, "
            f"{ct.version('trivy')}, {ct.version('check-jsonschema')}, {ct.version('zizmor')}")
        if args.self_test:
            return self_test(bundles, sv, na_path)
        result = check_all(bundles, sv, na_path)
        if args.agreement:
            if not args.kubeward:
                raise Fatal("--agreement needs --kubeward BIN")
            rows = agreement.agreement(Path(args.agreement).resolve(), args.kubeward, run_checkov)
            log(agreement.report(args.agreement, rows))
    except Fatal as e:
        log(f"conformance: FATAL (checks did not complete): {e}")
        return 2
    except Exception:  # a crash is not a finding: report it as such
        import traceback
        traceback.print_exc()
        log("conformance: FATAL (checks did not complete): internal error, see traceback above")
        return 2
    if result.not_applicable_used:
        log(f"note: {result.not_applicable_used} checkov/Trivy/zizmor failure(s) declared not applicable in {na_path.name}")
    log(result.summary())
    return 0 if result.ok else 1


def checkov_version() -> str:
    from checkov.version import version
    return version


def yamllint_version() -> str:
    import yamllint
    return yamllint.APP_VERSION


if __name__ == "__main__":
    sys.exit(main())
