"""Incremental runs: a cell whose inputs have not changed is not run again.

A cell's result is kept under the cache folder (`$ZIPCOMPAT_CACHE/results/`,
default `.cache/results/`), keyed by a sha256 over everything the result is
a function of:

- the reader: its declaration (id, environment, adapter, ...);
- its environment: the declaration's content hash (`Environment.key`, the
  environment folder's name) and what the environment takes from the system
  and its build: the installed version of each Debian package it declares
  (`dpkg-query`), its Python's version and every distribution installed in
  it (the `*.dist-info` names, so a rebuilt folder with another transitive
  release is another key); the machine (architecture, C library, cores);
- the adapter's code: the adapter file and every module of this project it
  imports, followed transitively (`compat_tests.adapters.common`, a shared
  adapter module, ...); for a program in another language (a Node.js
  adapter), its file and the files it imports by relative path
  (`compat_tests/adapters/node_protocol.mjs`);
- the harness that runs and judges a cell: the modules imported, transitively,
  by compat_tests/cells.py (run_cell, checks, outcomes, attempts, bounded,
  workers, core/: canonical, limits, outcomes, processes), compat_tests/worker.py
  and compat_tests/foreign_worker.py (the shim of other languages), without the
  reader registry (a reader's declaration is its own part), envs/ (the
  environment part covers it) and fixtures/registry.py (which fixtures exist;
  a fixture's own bytes are its part);
- the fixture: the sha256 of its archive's bytes and of its manifest's bytes;
- the cell's options: the base time limit (--cell-timeout; the per-entry part
  comes from the manifest) and the workers' memory cap.

Which results are kept: every outcome a reader gave, timeout and crash too,
except `not-installed` (a fact about this machine now, not about the inputs).
A cached result is used only while matrix.yaml still allows its outcome (the
expected outcome or an `also:` one): an unexpected outcome, where a loaded
machine or a race shows, is run again, so a developer never looks at a stale
surprise. Cells matrix.yaml marks as non-deterministic (`also:`) and timeouts
are reused as the sample they are, marked with the time they ran: running the
30 cells that end at the time limit again would alone cost about 17 minutes
of a 2-core machine per run. `--rerun` runs everything;
`--rerun-outcomes timeout,crash` (outcomes, or `also` for the cells matrix.yaml
marks non-deterministic) runs again only the cached cells that match; CI (`CI=true`) never reads the cache, and
your own archives (--archive) are never cached.

Each run writes what it ran (atomically: a temporary file renamed into
place), with the versions the reader's worker reported, so a run from the
cache starts no reader worker: the describer's answer (versions, documented
options) is cached the same way, keyed by reader, environment, adapter and
harness.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1                    # bump when what an entry holds or how keys are made changes
KEEP_PER_CELL = 3             # entries kept per cell (other branches, other environments)
NOT_CACHED = ("not-installed",)
# this project's packages: every top-level folder that is one (the products too, so that nothing of ours a cell
# imports goes unseen; the harness imports none of them, so they are in no harness key)
LOCAL_PACKAGES = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py")))
# the harness: what runs a cell and judges it, in the orchestrator and in the worker
HARNESS_ROOTS = ("zipstore_compat.compat_tests.cells", "zipstore_compat.compat_tests.worker", "zipstore_compat.compat_tests.foreign_worker", "zipstore_compat.compat_tests.habits")
# not part of the harness's key: declarations and environments are parts of their own; the list of
# fixtures (cells.all_cell_ids checks matrix.yaml's patterns with it) is not a cell's input, its bytes are
HARNESS_EXCLUDES = ("zipstore_compat.compat_tests.readers", "zipstore_compat.compat_tests.result_cache", "zipstore_compat.compat_tests.adapters", "envs", "zipstore_compat.fixtures.registry")
NON_DETERMINISTIC = "also"    # --rerun-outcomes=also: the cells matrix.yaml says give several outcomes


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def cache_folder() -> Path:
    from zipstore_compat.envs.build import cache_root

    return cache_root() / "results"


# ---- what a run may do with the cache ---------------------------------------------------------------

@dataclass(frozen=True)
class Mode:
    read: bool                          # reuse cached results
    write: bool                         # record what ran
    rerun: frozenset[str] = frozenset()  # outcomes (or "also") whose cached cells run again
    why: str = ""                       # why the cache is not read, in words

    def as_json(self) -> dict:
        return {"reads": self.read, "writes": self.write, "rerun": sorted(self.rerun), "why_not_read": self.why}


def is_ci(environ=os.environ) -> bool:
    return environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def mode_for(rerun: bool = False, outcomes: str = "", archives: bool = False, environ=os.environ) -> Mode:
    """rerun: --rerun (every cell runs); outcomes: --rerun-outcomes, e.g. "timeout,crash,also"."""
    if archives:
        return Mode(False, False, why="your own archives (--archive) are not cached")
    if is_ci(environ):
        return Mode(False, True, why="CI runs every cell (CI=true)")
    if rerun:
        return Mode(False, True, why="--rerun")
    check_outcomes(outcomes)
    return Mode(True, True, rerun=frozenset(w.strip() for w in (outcomes or "").split(",") if w.strip()))


def check_outcomes(value: str | None) -> None:
    """A clear error for --rerun-outcomes words that name no outcome."""
    from zipstore_compat.compat_tests.cells import OUTCOMES

    unknown = sorted(w.strip() for w in (value or "").split(",") if w.strip() and w.strip() not in {NON_DETERMINISTIC, *OUTCOMES})
    if unknown:
        raise ValueError(f"--rerun-outcomes: unknown {', '.join(unknown)}; give outcomes ({', '.join(OUTCOMES)}) "
                         f"or '{NON_DETERMINISTIC}' (the cells matrix.yaml marks non-deterministic)")


# ---- the parts of a key --------------------------------------------------------------------------------

@cache
def _file_sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_digest(path: Path) -> str:
    """The sha256 of one source file (kept per process)."""
    return _file_sha(str(path))


def module_path(name: str, root: Path = ROOT) -> Path | None:
    """The file of a module of this project, or None (a library, or a name that is not a module)."""
    if name.split(".")[0] not in LOCAL_PACKAGES:
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imports(path: Path, name: str, root: Path) -> frozenset[str]:
    """The project modules a file imports (at any depth of its code: imports inside functions count)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    out = set()
    for module in found:
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
            if module_path(".".join(parts[:depth]), root):
                out.add(".".join(parts[:depth]))
    return frozenset(out)


def closure(roots: tuple[str, ...], exclude: tuple[str, ...] = (), root: Path = ROOT) -> dict[str, str]:
    """relative path -> sha256 of every project module the roots import, transitively, themselves included.

    A module named in `exclude` (or inside an excluded package) is left out, and so is what only it imports.
    """
    def excluded(name: str) -> bool:
        return any(name == e or name.startswith(e + ".") for e in exclude)

    seen: dict[str, Path] = {}
    todo = [".".join(r.split(".")[:depth]) for r in roots for depth in range(1, len(r.split(".")) + 1)]  # and its packages
    while todo:
        name = todo.pop()
        if name in seen or excluded(name):
            continue
        path = module_path(name, root)
        if path is None:
            continue
        seen[name] = path
        todo.extend(_imports(path, name, root) - set(seen))
    return {str(p.relative_to(root)): source_digest(p) for p in sorted(seen.values())}


@cache
def harness_digest() -> str:
    return _digest(closure(HARNESS_ROOTS, HARNESS_EXCLUDES))


RELATIVE_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")  # JavaScript: from "./x.mjs", import("../y.js")


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _program_files(path: Path) -> dict[str, str]:
    """A program in another language: its file and the files it imports by relative path, transitively
    (a Node.js adapter and compat_tests/adapters/node_protocol.mjs)."""
    seen: dict[str, str] = {}
    todo = [path.resolve()]
    while todo:
        current = todo.pop()
        if _shown(current) in seen or not current.is_file():
            continue
        seen[_shown(current)] = source_digest(current)
        text = current.read_text(encoding="utf-8", errors="replace")
        todo.extend((current.parent / found).resolve() for found in RELATIVE_IMPORT.findall(text))
    return dict(sorted(seen.items()))


def adapter_files(reader) -> dict[str, str]:
    """The adapter's code: its file and the project modules it imports, transitively (a Python adapter),
    or its file and the files it imports by relative path (a program in another language)."""
    adapter = str(reader.adapter)
    if module_path(adapter):
        return closure((adapter,), ("zipstore_compat.compat_tests.readers", "zipstore_compat.compat_tests.result_cache"))
    path = Path(getattr(reader, "file", "") or adapter)
    path = path if path.is_absolute() else ROOT / path
    if path.is_file():
        return _program_files(path)
    # not found: every adapter file, so that no edit goes unseen
    return {_shown(p): source_digest(p) for p in sorted((ROOT / "compat_tests" / "adapters").rglob("*")) if p.is_file()}


_ADAPTERS: dict[str, str] = {}


def adapter_digest(reader) -> str:
    if reader.adapter not in _ADAPTERS:
        _ADAPTERS[reader.adapter] = _digest(adapter_files(reader))
    return _ADAPTERS[reader.adapter]


def _debian_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """package -> installed version ("" when not installed), from dpkg-query."""
    if not packages:
        return {}
    try:
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Version}\t${db:Status-Abbrev}\n", *packages],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return {p: "" for p in packages}
    found = {}
    for line in proc.stdout.splitlines():
        name, _, rest = line.partition("\t")
        version, _, status = rest.partition("\t")
        found[name.split(":")[0]] = version if status.startswith("ii") else ""
    return {p: found.get(p, "") for p in packages}


def _installed(folder: Path) -> dict:
    """What a built environment folder holds: its Python's version and every installed distribution."""
    info: dict = {}
    config = folder / "pyvenv.cfg"
    if config.is_file():
        for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info"):
                info["python"] = value.strip()
    info["distributions"] = sorted(p.name for p in folder.glob("lib/python*/site-packages/*.dist-info"))
    return info


@cache
def system() -> dict:
    libc = platform.libc_ver()
    return {"machine": platform.machine(), "system": platform.system(), "libc": f"{libc[0]} {libc[1]}".strip(),
            "cores": os.cpu_count()}


_ENVIRONMENTS: dict[str, dict | None] = {}


def environment_fingerprint(name: str) -> dict | None:
    """The environment as the key sees it, or None when it is not built (nothing can be reused from it yet)."""
    if name in _ENVIRONMENTS:
        return _ENVIRONMENTS[name]
    from zipstore_compat.compat_tests.workers import PROJECT_ENV
    from zipstore_compat.envs.build import MARKER, env_dir
    from zipstore_compat.envs.registry import get_environment

    if name == PROJECT_ENV:
        lock = ROOT / "uv.lock"
        found = {"project": source_digest(lock) if lock.is_file() else "", "python": sys.version}
    else:
        try:
            env = get_environment(name)
        except KeyError:
            return None
        folder = env_dir(env)
        if not (folder / MARKER).exists():
            return None  # not cached: the worker builds it, and the entry written after the run has its fingerprint
        found = {"name": name, "declaration": env.key, "apt": _debian_versions(tuple(env.apt)), **_installed(folder)}
    found["system"] = system()
    _ENVIRONMENTS[name] = found
    return found


_FIXTURES: dict[tuple, dict] = {}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fixture_digest(archive: Path, manifest: Path) -> dict:
    """The sha256 of the archive's and the manifest's bytes (kept per process while the files are unchanged)."""
    out = {}
    for label, path in (("archive", archive), ("manifest", manifest)):
        stat = Path(path).stat()
        memo = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if memo not in _FIXTURES:
            _FIXTURES[memo] = _file_sha256(Path(path))
        out[label] = _FIXTURES[memo]
    return out


NOT_AN_INPUT = ("bugreport", "bugreport_constants")   # declared for bug reports: no part of what a cell does


def declaration(reader) -> dict:
    if dataclasses.is_dataclass(reader):
        found = json.loads(json.dumps(dataclasses.asdict(reader), sort_keys=True, default=str))
        for name in NOT_AN_INPUT:
            found.pop(name, None)
        if getattr(reader, "foreign", False):  # its adapter is an absolute path: the same code in another checkout
            found["adapter"] = reader.file     # is the same reader (`file` is relative to the project)
        return found
    return {"id": reader.id, "env": reader.env, "adapter": reader.adapter}


def _digest(parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def reader_parts(reader) -> dict | None:
    """The parts of a key that belong to the reader (None: its environment is not built)."""
    environment = environment_fingerprint(reader.env)
    if environment is None:
        return None
    return {"format": FORMAT, "reader": declaration(reader), "environment": _digest(environment),
            "adapter": adapter_digest(reader), "harness": harness_digest()}


def cell_parts(reader, archive: Path, manifest: Path, cell_timeout: float, memory_gib: float) -> dict | None:
    parts = reader_parts(reader)
    if parts is None:
        return None
    return {**parts, "fixture": fixture_digest(archive, manifest),
            "options": {"cell_timeout": float(cell_timeout), "memory_gib": float(memory_gib)}}


def forget() -> None:
    """Drop what this process remembers of sources, environments and fixtures (a process sees its files
    once; tests that edit files in between call this)."""
    for memo in (_file_sha, _imports, harness_digest, reference_digest, system):
        getattr(memo, "cache_clear", lambda: None)()  # (a test may have put a plain function in its place)
    for memo in (_ADAPTERS, _ENVIRONMENTS, _FIXTURES):
        memo.clear()


# ---- entries on disk ---------------------------------------------------------------------------------

def _read(path: Path) -> dict | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("format") == FORMAT else None


def _write(path: Path, entry: dict) -> None:
    """Atomically: a reader of the cache sees the old entry or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False, encoding="utf-8")
    try:
        with handle:
            json.dump(entry, handle, ensure_ascii=False)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    _prune(path.parent)


def _prune(folder: Path) -> None:
    try:
        entries = sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_PER_CELL:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned it first


def _safe(name: str) -> str:
    """A cell or reader id as a file name (ids are shell-safe already; this only guards the folder)."""
    return "".join(c if c.isalnum() or c in "-_.@+" else "_" for c in name)


class CachedDescriber:
    """The describer (versions and documented options of each reader) with its answers cached.

    `inner` asks the reader's worker (compat_tests.cells.Describer). An answer from a worker is
    recorded whenever one is asked; a run that reads the cache takes the recorded one and starts no
    worker for it.
    """

    def __init__(self, inner, mode: Mode, folder: Path | None = None):
        self.inner, self.mode = inner, mode
        self.folder = (folder or cache_folder()) / "describe"
        self.known: dict[str, dict] = {}
        self.recorded: set[str] = set()

    def _path(self, reader, parts: dict) -> Path:
        return self.folder / _safe(reader.id) / f"{_digest(parts)}.json"

    def __call__(self, reader) -> dict | None:
        if reader.id in self.known:
            return self.known[reader.id]
        parts = reader_parts(reader) if self.mode.read else None
        entry = _read(self._path(reader, parts)) if parts else None
        if entry is not None:
            self.known[reader.id] = entry["description"]
            return entry["description"]
        return self.fresh(reader)

    def fresh(self, reader) -> dict | None:
        """The worker's own answer (asked once per process), recorded."""
        description = self.inner(reader)
        self.known[reader.id] = description
        if self.mode.write and reader.id not in self.recorded and description and "versions" in description:
            self.recorded.add(reader.id)
            parts = reader_parts(reader)  # after the worker ran: its environment is built now
            if parts is not None:
                _write(self._path(reader, parts), {"format": FORMAT, "reader": reader.id, "recorded": now(),
                                                    "parts": parts, "description": description})
        return description


def cached_description(reader, folder: Path | None = None) -> dict | None:
    """What the reader's worker said of itself when it last ran with these inputs, or None (nothing recorded, or the
    environment is not built): the report header shows it without starting a worker."""
    parts = reader_parts(reader)
    if parts is None:
        return None
    entry = _read((folder or cache_folder()) / "describe" / _safe(reader.id) / f"{_digest(parts)}.json")
    return entry["description"] if entry else None


# the reference reading of other projects' archives (fixtures/external.py, in the capped reference worker)
REFERENCE_ROOTS = ("zipstore_compat.compat_tests.byo", "zipstore_compat.fixtures.reference_worker", "zipstore_compat.fixtures.external")


@cache
def reference_digest() -> str:
    return _digest(closure(REFERENCE_ROOTS, HARNESS_EXCLUDES))


class CachedReference:
    """The reference reading of an external archive (compat_tests.byo.CappedReference), cached by the
    archive's bytes, its id and source, the reference's code and the project environment: a run from
    the cache starts no reference worker either. A reading that raised is not kept."""

    def __init__(self, inner, mode: Mode, folder: Path | None = None):
        self.inner, self.mode = inner, mode
        self.folder = (folder or cache_folder()) / "reference"

    def __call__(self, archive: Path, fixture_id: str, source: str) -> dict:
        from zipstore_compat.compat_tests.workers import DEFAULT_MEMORY_GIB, DEFAULT_TIMEOUT, PROJECT_ENV

        parts = {"format": FORMAT, "archive": _file_sha256(Path(archive)), "fixture": fixture_id, "source": source,
                 "reference": reference_digest(),
                 "environment": _digest(environment_fingerprint(PROJECT_ENV)),
                 "options": {"cell_timeout": DEFAULT_TIMEOUT, "memory_gib": DEFAULT_MEMORY_GIB}}
        path = self.folder / _safe(fixture_id) / f"{_digest(parts)}.json"
        entry = _read(path) if self.mode.read else None
        if entry is not None:
            return entry["manifest"]
        manifest = self.inner(archive, fixture_id, source=source)
        if self.mode.write:
            _write(path, {"format": FORMAT, "fixture": fixture_id, "recorded": now(), "parts": parts, "manifest": manifest})
        return manifest


@dataclass
class Outcome:
    """A cell's result, from the cache or from a run."""
    result: object          # compat_tests.cells.CellResult
    description: dict       # the describer's answer the cell ran with (versions)
    cached: bool
    ran: str                # when the reader ran it (UTC)


class CellCache:
    """Cell results by key, under <cache>/results/cells/<cell id>/<key>.json."""

    def __init__(self, mode: Mode, cell_timeout: float, memory_gib: float | None = None, folder: Path | None = None):
        from zipstore_compat.compat_tests.workers import DEFAULT_MEMORY_GIB

        self.mode, self.cell_timeout = mode, cell_timeout
        self.memory_gib = DEFAULT_MEMORY_GIB if memory_gib is None else memory_gib
        self.folder = (folder or cache_folder()) / "cells"

    def parts(self, reader, archive: Path, manifest: Path, extra: dict | None = None) -> dict | None:
        """`extra`: what else the cell's result depends on (a remote cell: its case and the server's key)."""
        parts = cell_parts(reader, archive, manifest, self.cell_timeout, self.memory_gib)
        return {**parts, **extra} if parts is not None and extra else parts

    def _path(self, cell: str, parts: dict) -> Path:
        return self.folder / _safe(cell) / f"{_digest(parts)}.json"

    def lookup(self, cell: str, reader, archive: Path, manifest: Path, extra: dict | None = None) -> dict | None:
        """The cached entry of this cell with these inputs, when the mode lets it be used."""
        if not self.mode.read:
            return None
        parts = self.parts(reader, archive, manifest, extra)
        if parts is None:
            return None
        entry = _read(self._path(cell, parts))
        if entry is None or entry.get("result", {}).get("outcome") in NOT_CACHED:
            return None
        if entry["result"].get("outcome") in self.mode.rerun:
            return None
        return entry

    def store(self, cell: str, reader, archive: Path, manifest: Path, result, description: dict | None, ran: str,
              extra: dict | None = None) -> None:
        if not self.mode.write or result.outcome in NOT_CACHED:
            return
        parts = self.parts(reader, archive, manifest, extra)
        if parts is None:
            return
        _write(self._path(cell, parts), {"format": FORMAT, "cell": cell, "ran": ran, "parts": parts,
                                         "result": result.to_json(), "description": description or {}})

    def run(self, reader, fixture_id: str, archive: Path, manifest: Path, describe, run, verdict=None, extra: dict | None = None) -> Outcome:
        """The cell's result: from the cache when its inputs are unchanged and matrix.yaml still allows its
        outcome, else from `run()`, recorded. verdict(result, versions) -> (allowed, non_deterministic)."""
        from zipstore_compat.compat_tests.cells import CellResult, cell_id

        cell = cell_id(reader.id, fixture_id)
        entry = self.lookup(cell, reader, archive, manifest, extra)
        if entry is not None:
            result = CellResult(**entry["result"])
            description = entry.get("description") or {}
            allowed, non_deterministic = verdict(result, description.get("versions")) if verdict else (True, False)
            if allowed and not (non_deterministic and NON_DETERMINISTIC in self.mode.rerun):
                return Outcome(result, description, True, entry.get("ran", ""))
        ran = now()
        description = describe.fresh(reader) if hasattr(describe, "fresh") else describe(reader)
        result = run()
        self.store(cell, reader, archive, manifest, result, description, ran, extra)
        return Outcome(result, description or {}, False, ran)


def run_info(records: list[dict], mode: Mode) -> dict:
    """The run's cache facts: what the run could do with the cache, how many cells came from it, how many ran."""
    return {**mode.as_json(), **counts(records)}


def counts(cells: list[dict]) -> dict:
    """How many cells came from the cache and how many ran, and when the cached ones ran (from the cells)."""
    cached = [c for c in cells if c.get("cached")]
    idle = [c for c in cells if not c.get("cached") and "ran" in c and c["ran"] is None]  # no reader runs on it
    out = {"cached": len(cached), "ran": len(cells) - len(cached) - len(idle), "no_reader": len(idle)}
    times = sorted(c["ran"] for c in cached if c.get("ran"))
    if times:
        out["cached_ran_from"], out["cached_ran_to"] = times[0], times[-1]
    return out


def run_info_text(payload: dict, with_total: bool = True) -> str:
    """The table's run-info line: '1,936 cells: 6 run now, 1,930 from the cache (run ... to ...).'

    Counted from the cells (so a merged file says it right too); why the cache was not read comes from the run.
    """
    cells = payload.get("cells") or []
    info = {**(payload.get("run", {}).get("cache") or {}), **counts(cells)}
    text = (f"{len(cells):,} cells: " if with_total else "") + f"{info['ran']:,} run now, {info['cached']:,} from the cache"
    if info["cached"]:
        text += f" (they ran {info['cached_ran_from']} to {info['cached_ran_to']}, inputs unchanged since)"
    if info["no_reader"]:
        text += f", {info['no_reader']:,} with no reader run (fixture-error)"
    if info.get("why_not_read"):
        text += f"; the cache was not read: {info['why_not_read']}"
    return text + "."
