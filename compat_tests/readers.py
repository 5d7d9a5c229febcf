"""The registry of readers, discovered from their declarations; nothing else lists readers.

A reader is declared once, at the top of its adapter file, in whatever
language the adapter is written in, as TOML in comment lines that start
with `reader:` (docs/adding-a-reader.md):

    # reader: id = "zarr3"                                  (Python: "#", Node.js: "//")
    # reader: env = "zarr3"
    # reader: library = "zarr-python 3"
    # reader: call = 'zarr.open_group(zarr.storage.ZipStore(path, mode="r"))'
    # reader: package = "zarr"                             (the versions lane varies it; optional)
    # reader: version_key = "zarr"                         (the versions entry that says the release)
    # reader: group = "zarr-python"                        (the summary column it belongs to; optional)
    # reader: rank = 1                                     (its place in that group; optional)
    # reader: races = [{signature = "Bad CRC-32", link = "https://..."}]   (a race the library is known to have:
    #                                                      a failure with that text is tried again; optional)
    # reader: remote = true                                (it reads the archive's URL on a web server: its cells
                                                           are the remote cases, compat_tests/remote/plan.py)
    # reader: decodes_cf = true                            (its library decodes CF by default: masks fill values,
                                                           unpacks, decodes times; judged against the CF decoding
                                                           of the manifest's values too: docs/reference/cf-decoding.md)
    # reader: bugreport = "python:zarr3"                   (its bug-report script: a template under bugreport/templates/;
                                                            a list for several, the report's own first; optional)
    # reader: bugreport_constants = { MODE = "zarr,zip" }  (values the template reads besides the common ones; optional)

A Python adapter (`.py`) is served by `python -m compat_tests.worker` in its
environment. Any other file declares `worker = [...]`, the command that
serves it ("{file}" is the adapter's path); it runs behind the protocol
shim (compat_tests/foreign_worker.py, docs/worker-protocol.md).

Readers are discovered in compat_tests/adapters/ and, for the suite's own
tests, in the folders named by ZIPCOMPAT_READER_DIRS (tests/readers holds
the crash, hang and memory readers and the Node.js contract reader).

The versions lane adds, for each reader whose environment declares older
releases of the reader's own package (envs/environments.toml `lane`), one
reader per release: "<id>@<release>", in the environment with that release
pinned. Its family is the default reader's id. A lane on a native recipe's
release (`lane = { netcdf-c = [...] }`) varies the readers whose version_key
is that recipe.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from zipstore_compat.core import declarations
from zipstore_compat.core.declarations import DeclarationError  # noqa: F401  (raised here for a reader declaration)
from zipstore_compat.core.locations import CODE as ROOT, PACKAGE

ADAPTERS = Path(__file__).resolve().parent / "adapters"
EXTRA_DIRS_VARIABLE = "ZIPCOMPAT_READER_DIRS"
PYTHON_WORKER = ("{python}", "-m", "zipstore_compat.compat_tests.worker")
REQUIRED = ("id", "env", "library", "call")
OPTIONAL = ("package", "version_key", "worker", "test_only", "group", "rank", "races", "race_free", "remote", "decodes_cf",
            "bugreport", "bugreport_constants")
SCRIPT_NAME = re.compile(r"^[a-z]+:[A-Za-z0-9_.-]+$")   # a bug-report script: "<language>:<template>"
SHELL_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class Reader:
    id: str
    env: str
    adapter: str           # what the worker loads: a Python module name, or the adapter file's path
    library: str           # the library under test, as users know it
    call: str              # how users call it (one line, shown in the table)
    test_only: bool = False
    package: str = ""      # the package whose releases the versions lane varies ("" : none)
    version_key: str = ""  # the entry of the worker's versions that says which release this is ("since N")
    family: str = ""       # the default reader a versions-lane reader belongs to ("" : itself)
    lane: str = "default"  # default | versions
    worker: tuple[str, ...] = PYTHON_WORKER  # the command that serves the adapter
    file: str = ""         # the adapter file, relative to the project root when inside it
    group: str = ""        # the summary's column group (compat_tests/reports/summary.py GROUPS orders and names them)
    rank: int = 99         # the reader's place in its group
    races: tuple[tuple[str, str], ...] = ()   # (signature, link): failures of a race the library is known to have
    race_free: tuple[str, str, tuple] = ()    # (label, doc, options): the library's documented setting that takes the race away
    remote: bool = False   # reads the archive's URL from the suite's web server (docs/reference/remote.md)
    decodes_cf: bool = False  # its library decodes CF by default (checks.judge accepts the CF-decoded values)
    bugreport: tuple[str, ...] = ()   # its bug-report scripts ("<language>:<template>", bugreport/templates/), its own first
    bugreport_constants: tuple[tuple[str, object], ...] = ()   # the values its templates read besides the common ones

    @property
    def family_id(self) -> str:
        return self.family or self.id

    @property
    def foreign(self) -> bool:
        """Served by a program that is not our Python worker (Node.js, a command-line tool)."""
        return self.worker != PYTHON_WORKER


def declaration_of(path: Path) -> dict | None:
    """The TOML in the file's `reader:` comment lines, or None when it declares no reader (core.declarations)."""
    return declarations.declaration_of(path, "reader")


def reader_from(path: Path, declared: dict) -> Reader:
    missing = [k for k in REQUIRED if k not in declared]
    unknown = sorted(set(declared) - set(REQUIRED) - set(OPTIONAL))
    if missing or unknown:
        raise DeclarationError(f"{path}: reader declaration " + "; ".join(
            ([f"misses {', '.join(missing)}"] if missing else []) + ([f"has unknown keys {', '.join(unknown)}"] if unknown else [])))
    if not SHELL_SAFE_ID.match(declared["id"]):
        raise DeclarationError(f"{path}: reader id {declared['id']!r} is not shell-safe (lower case, digits, . _ -)")
    path = path.resolve()
    shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    if path.suffix == ".py":
        if "worker" in declared:
            raise DeclarationError(f"{path}: a Python adapter is served by compat_tests.worker; it declares no worker")
        if not path.is_relative_to(ROOT):
            raise DeclarationError(f"{path}: a Python adapter must live inside the project ({ROOT})")
        adapter, worker = adapter_module(path), PYTHON_WORKER
    else:
        if not declared.get("worker"):
            raise DeclarationError(f"{path}: a {path.suffix or 'non-Python'} adapter must declare worker = [command, ...]")
        adapter, worker = str(path), tuple(str(part) for part in declared["worker"])
    scripts = declared.get("bugreport", ())
    scripts = (scripts,) if isinstance(scripts, str) else tuple(scripts)
    if not all(isinstance(x, str) and SCRIPT_NAME.match(x) for x in scripts):
        raise DeclarationError(f"{path}: bugreport = {declared['bugreport']!r}: expected \"<language>:<template>\" or a list of them")
    constants = declared.get("bugreport_constants", {})
    if not isinstance(constants, dict):
        raise DeclarationError(f"{path}: bugreport_constants must be a table, e.g. {{ MODE = \"zarr,zip\" }}")
    from zipstore_compat.envs.registry import load_environments

    if declared["env"] not in load_environments() and declared["env"] != "project":
        raise DeclarationError(f"{path}: reader {declared['id']!r} names environment {declared['env']!r}, "
                               "which envs/environments.toml does not declare")
    races = declared.get("races", [])
    if not isinstance(races, list) or not all(isinstance(r, dict) and set(r) == {"signature", "link"} and str(r["link"]).startswith("https://")
                                              and len(str(r["signature"])) >= 8 for r in races):
        raise DeclarationError(f"{path}: races must be a list of {{signature = \"<text of the failure, 8+ characters>\", "
                               "link = \"https://<the evidence>\"}}")
    race_free = declared.get("race_free")
    if race_free is not None and not (races and isinstance(race_free, dict) and set(race_free) == {"label", "doc", "options"}
                                      and str(race_free["doc"]).startswith("https://") and isinstance(race_free["options"], dict)):
        raise DeclarationError(f"{path}: race_free must be {{label = \"...\", doc = \"https://...\", options = {{...}}}}, "
                               "beside the races it takes away")
    return Reader(id=declared["id"], env=declared["env"], adapter=adapter, library=declared["library"], call=declared["call"],
                  test_only=bool(declared.get("test_only", False)), package=declared.get("package", ""),
                  version_key=declared.get("version_key", ""), worker=worker, file=shown,
                  group=declared.get("group", declared["id"]), rank=int(declared.get("rank", 99)),
                  races=tuple((str(r["signature"]), str(r["link"])) for r in races),
                  race_free=(race_free["label"], race_free["doc"], tuple(sorted(race_free["options"].items()))) if race_free else (),
                  remote=_flag(path, declared, "remote"),
                  decodes_cf=_flag(path, declared, "decodes_cf"), bugreport=scripts, bugreport_constants=tuple(sorted(constants.items())))


def adapter_module(path: Path) -> str:
    """The module name a worker imports a Python adapter by: zipstore_compat.<package>.<module> for the suite's own
    (compat_tests/adapters/), and a checkout's test-only readers (tests/readers/, outside the package) by their own."""
    parts = path.resolve().relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if parts[0] == "tests" else (PACKAGE, *parts))


def _flag(path: Path, declared: dict, key: str) -> bool:
    value = declared.get(key, False)
    if not isinstance(value, bool):
        raise DeclarationError(f"{path}: reader declaration {key} = {value!r}: expected true or false")
    return value


def reader_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(EXTRA_DIRS_VARIABLE, "").split(os.pathsep) if p]
    return [ADAPTERS, *[p if p.is_absolute() else ROOT / p for p in extra]]


@cache
def _discover(dirs: tuple[Path, ...]) -> dict[str, Reader]:
    found: dict[str, Reader] = {}
    for folder in dirs:
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not path.is_file() or path.name.startswith((".", "_")):
                continue
            declared = declaration_of(path)
            if declared is None:
                continue
            reader = reader_from(path, declared)
            if reader.id in found:
                raise DeclarationError(f"reader id {reader.id!r} is declared twice: {found[reader.id].file} and {reader.file}")
            found[reader.id] = reader
    return found


def readers() -> dict[str, Reader]:
    """Every declared reader (the default lane, and test-only readers when their folder is named)."""
    return _discover(tuple(reader_dirs()))


def matrix_readers() -> dict[str, Reader]:
    """The default lane: the newest release of every library."""
    return {k: r for k, r in readers().items() if not r.test_only}


@cache
def lane_readers() -> dict[str, Reader]:
    """The versions lane: each older release the reader's environment declares for the reader's package (or native library)."""
    from zipstore_compat.envs.registry import get_environment, lane_name

    out = {}
    for reader in matrix_readers().values():
        if reader.env == "project":
            continue
        env = get_environment(reader.env)
        for package, releases in env.lanes:
            # a pip package varies the readers of that package; a native recipe's release (netCDF-C) varies the
            # readers whose version_key names it, whatever binding sits on top
            varied = reader.version_key if package in env.native else reader.package
            if package.lower() != varied.lower():
                continue
            for release in releases:
                lane = replace(reader, id=f"{reader.id}@{release}", env=lane_name(reader.env, package, release),
                               family=reader.id, lane="versions")
                out[lane.id] = lane
    return out


def all_readers() -> dict[str, Reader]:
    return {**readers(), **lane_readers()}


def family_cell(cell: str) -> str:
    """The cell id a versions-lane cell shares matrix.yaml patterns with: zarr3@3.1.6--x -> zarr3--x."""
    reader, sep, fixture = cell.partition("--")
    return reader.partition("@")[0] + sep + fixture
