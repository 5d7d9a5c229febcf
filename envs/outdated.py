"""Which pins of the declared environments are behind the newest release on the package registry.

Pins stay (a run must be reproducible); this says when to move them. It asks
pip's own index client (`pip index versions`, for the environment's Python
version), so it uses whatever index pip is configured with and names none.
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from zipstore_compat.envs.registry import Environment, load_environments

NEWEST_PYTHON = "3.14"  # "any Python": the newest interpreter a release may require
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^;\s]+)$")


@dataclass(frozen=True)
class Pin:
    env: str
    python: str
    package: str
    pinned: str


@dataclass(frozen=True)
class Finding:
    pin: Pin
    newest: str | None       # None: the registry gave no answer; for the environment's Python
    note: str = ""
    newest_any: str | None = None   # for any Python: a newer line may need a newer interpreter

    @property
    def behind(self) -> bool:
        from packaging.version import InvalidVersion, Version

        if self.newest is None:
            return False
        try:
            return Version(self.newest) > Version(self.pin.pinned)
        except InvalidVersion:
            return self.newest != self.pin.pinned


def pins(envs: dict[str, Environment]) -> list[Pin]:
    out = []
    for env in envs.values():
        if env.lane_of:
            continue  # the versions lane is old on purpose
        for requirement in (*env.requirements, *env.post):
            match = PIN.match(requirement)
            if match and "{" not in requirement:  # templated pins ({gdal_version}) follow the system library
                out.append(Pin(env.name, env.python, match.group(1), match.group(2)))
    return out


def newest_release(package: str, python: str | None) -> tuple[str | None, str]:
    """The newest release of `package` installable on `python` (any Python when None), and a note when none."""
    wanted = ["--python-version", python] if python else ["--python-version", NEWEST_PYTHON]
    proc = subprocess.run([sys.executable, "-m", "pip", "index", "versions", package, *wanted,
                           "--disable-pip-version-check"], capture_output=True, text=True, timeout=120)
    match = re.search(r"^\S+ \(([^)]+)\)", proc.stdout, re.MULTILINE)
    if match:
        return match.group(1), ""
    return None, (proc.stderr.strip().splitlines() or ["no answer"])[-1][:160]


def check(envs: dict[str, Environment] | None = None, workers: int = 8) -> list[Finding]:
    wanted = pins(envs or load_environments())
    asked = sorted({(p.package.lower(), p.python) for p in wanted} | {(p.package.lower(), None) for p in wanted}, key=str)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = dict(zip(asked, pool.map(lambda key: newest_release(*key), asked)))
    return [Finding(p, *answers[(p.package.lower(), p.python)], newest_any=answers[(p.package.lower(), None)][0]) for p in wanted]


def report(findings: list[Finding]) -> str:
    behind = [f for f in findings if f.behind]
    unknown = [f for f in findings if f.newest is None]
    lines = [f"# Pins behind the newest release ({len(behind)} of {len(findings)})", ""]
    if behind:
        lines += ["| environment | Python | package | pinned | newest for this Python |", "|---|---|---|---|---|"]
        lines += [f"| {f.pin.env} | {f.pin.python} | {f.pin.package} | {f.pin.pinned} | {f.newest} |" for f in behind]
    else:
        lines.append("Every pin is the newest release for its environment's Python.")
    newer_python = [f for f in findings if f.newest_any and f.newest and f.newest_any != f.newest]
    if newer_python:
        lines += ["", "Newer releases that need a newer Python than the environment's:", ""]
        lines += [f"- {f.pin.env}: {f.pin.package} {f.newest_any} (the environment's Python {f.pin.python} stops at {f.newest})"
                  for f in newer_python]
    for f in unknown:
        lines.append(f"- no answer for {f.pin.package} (Python {f.pin.python}): {f.note}")
    return "\n".join(lines) + "\n"
