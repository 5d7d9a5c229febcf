"""The install line of a bug report: only the packages its script needs, pinned to the versions the matrix ran.

The versions come from the reader's own environment (what `uv pip freeze`
lists there), so the report names exactly what the matrix tested. Packages
an environment installs in a post step (built against a system library,
e.g. Debian's GDAL) are installed the same way, after the others, with the
environment's flags; a native library built from source is named, and the
checker reuses the suite's build of it. A Node.js script installs its npm
packages at the exact versions of the reader's envs/node/<name>/package.json;
a shell script names the Debian packages (or the native build) of its tool.
"""

from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from envs import ensure_environment, get_environment
from envs.registry import recipe_command


@dataclass(frozen=True)
class Install:
    apt: tuple[str, ...]                         # Debian packages first
    native: tuple[str, ...]                      # recipes envs/native/<name>.sh built from source first
    steps: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]   # (pip flags, pinned requirements), in order
    build_env: tuple[tuple[str, str], ...] = ()  # variables for the steps with flags (e.g. NETCDF4_DIR)
    npm: tuple[str, ...] = ()                    # name@version, for a Node.js script
    native_releases: tuple[tuple[str, str], ...] = ()   # (recipe, release) the cell's environment builds

    def package_json(self) -> str:
        """A Node.js script's package.json: its packages at exactly these versions."""
        dependencies = dict(spec.rsplit("@", 1) for spec in self.npm)
        return json.dumps({"private": True, "type": "module", "dependencies": dependencies}, indent=2) + "\n"

    def line(self) -> str:
        """One shell line a user can paste: apt (if any), then pip."""
        parts = []
        if self.apt:
            parts.append("apt-get install -y " + " ".join(self.apt))
        if self.native:
            releases = dict(self.native_releases)   # the release of the cell's environment (the versions lane builds another)
            parts.append(" && ".join(" ".join(recipe_command(f"build-{name}.sh", "$PWD/native", release=releases.get(name, "")))
                                     for name in self.native))
        for flags, requirements in self.steps:
            exports = " ".join(f"{k}={v.replace('{native}', '$PWD/native').replace('{PATH}', '$PATH')}" for k, v in self.build_env) if flags and self.build_env else ""
            parts.append((exports + " " if exports else "") + "pip install " + " ".join([*flags, *requirements]))
        if self.npm:
            parts.append("npm install " + " ".join(self.npm))
        return " && ".join(parts)


@functools.lru_cache(maxsize=None)
def freeze(python: Path) -> dict[str, str]:
    """{normalised distribution name: version} installed in an environment."""
    proc = subprocess.run(["uv", "pip", "freeze", "--python", str(python)], capture_output=True, text=True, check=True)
    out = {}
    for line in proc.stdout.splitlines():
        if "==" in line and not line.startswith(("-e ", "#")):
            name, version = line.split("==", 1)
            out[_norm(name)] = version.strip()
    return out


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def install_for(env_name: str, packages: list[str]) -> Install:
    """Pinned install steps for `packages` (distribution names), as installed in environment `env_name`."""
    env = get_environment(env_name)
    versions = freeze(ensure_environment(env_name))
    post_names = {_norm(step.split("==")[0]) for step in env.post}
    missing = [p for p in packages if _norm(p) not in versions]
    if missing:
        raise ValueError(f"the {env_name} environment has no {', '.join(missing)}: the script template names a package it does not install")
    pinned = [f"{p}=={versions[_norm(p)]}" for p in packages if _norm(p) not in post_names]
    steps = []
    if env.post and any(_norm(p) in post_names for p in packages):
        # a post step builds against something: its build requirements come first, as the environment declares them
        build_requirements = [r for r in env.requirements if _norm(r.split("==")[0]) not in {_norm(p) for p in packages}]
        steps.append(((), tuple(pinned + build_requirements)))
        steps.append((tuple(env.pip_flags), tuple(f"{p}=={versions[_norm(p)]}" for p in packages if _norm(p) in post_names)))
    else:
        steps.append(((), tuple(pinned)))
    return Install(tuple(env.apt), tuple(env.native), tuple(steps), env.build_env, native_releases=env.native_releases)


def node_install(env_name: str, packages: list[str]) -> Install:
    """`npm install name@version ...` at the versions the reader's Node.js project pins."""
    env = get_environment(env_name)
    pinned = json.loads((env.node_project() / "package.json").read_text(encoding="utf-8"))["dependencies"]
    missing = [p for p in packages if p not in pinned]
    if missing:
        raise ValueError(f"the {env_name} environment's package.json has no {', '.join(missing)}")
    return Install((), (), (), npm=tuple(f"{p}@{pinned[p]}" for p in packages))


def tool_install(env_name: str, packages: list[str]) -> Install:
    """A command-line tool's Debian packages, or (`native:<recipe>`) the native build and what it needs."""
    env = get_environment(env_name)
    native = tuple(p.split(":", 1)[1] for p in packages if p.startswith("native:"))
    apt = tuple(env.apt) if native else tuple(p for p in packages if not p.startswith("native:"))
    return Install(apt, native, (), native_releases=env.native_releases)


INSTALLERS = {"python": install_for, "node": node_install, "shell": tool_install}
