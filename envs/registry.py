"""The one registry of environments: parsed from environments.toml."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

DECLARATIONS = Path(__file__).with_name("environments.toml")
NATIVE_RECIPES = Path(__file__).with_name("native")
NODE_PROJECTS = Path(__file__).with_name("node")   # <name>/package.json + package-lock.json: a Node.js environment
# Bump when the way environments are built changes, so old caches are not reused.
MACHINERY_VERSION = 1


@dataclass(frozen=True)
class Environment:
    name: str
    python: str
    requirements: tuple[str, ...] = ()
    apt: tuple[str, ...] = ()
    post: tuple[str, ...] = ()
    pip_flags: tuple[str, ...] = ()
    description: str = ""
    native: tuple[str, ...] = ()                     # recipes envs/native/<name>.sh, built into <env>/native
    native_releases: tuple[tuple[str, str], ...] = ()   # (recipe, release) where declared as "<name>==<release>"
    build_env: tuple[tuple[str, str], ...] = ()      # variables for the post steps ("{native}", "{PATH}")
    runtime_env: tuple[tuple[str, str], ...] = ()    # variables for every process run in the environment
    lane_of: str = ""                                # versions lane: the environment this one varies
    lane_pin: tuple[str, str] | None = None          # versions lane: (package, release) put in place of its pin
    lanes: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (package, releases) of the versions lane
    node: str = ""                                   # a Node.js environment: envs/node/<node>/ (package.json + lock), `npm ci`
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """Content hash of the declaration: the cache folder's name."""
        declared = {
            "machinery": MACHINERY_VERSION,
            "python": self.python,
            "requirements": list(self.requirements),
            "apt": list(self.apt),
            "post": list(self.post),
            "pip_flags": list(self.pip_flags),
        }
        if self.native or self.build_env or self.runtime_env:  # only where used: other keys stay as they were
            declared.update({
                "native": {name: hashlib.sha256(self.recipe(name).read_bytes()).hexdigest() for name in self.native},
                "build_env": list(self.build_env),
                "runtime_env": list(self.runtime_env),
            })
            if self.native_releases:  # the release a recipe builds is part of what the environment is
                declared["native_releases"] = dict(self.native_releases)
        if self.node:  # the committed manifest and lock, and the node that runs them, are the environment
            declared["node"] = {name: hashlib.sha256((self.node_project() / name).read_bytes()).hexdigest() for name in NODE_FILES}
            declared["node_runtime"] = node_version()
        body = json.dumps(declared, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:12]

    @staticmethod
    def recipe(name: str) -> Path:
        return NATIVE_RECIPES / f"{name}.sh"

    def native_release(self, name: str) -> str:
        """The release the recipe `name` builds here ("" : the recipe's own default)."""
        return dict(self.native_releases).get(name, "")

    def node_project(self) -> Path:
        return NODE_PROJECTS / self.node


NODE_FILES = ("package.json", "package-lock.json")


@cache
def node_version() -> str:
    """The machine's `node --version` ("" when there is none: the environment then reports not-installed)."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        return ""
    return subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()


@cache
def load_environments() -> dict[str, Environment]:
    raw = tomllib.loads(DECLARATIONS.read_text(encoding="utf-8"))
    known = {"python", "requirements", "apt", "post", "pip_flags", "description", "native", "build_env", "runtime_env", "lane", "node"}
    envs = {}
    for name, entry in raw.items():
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"{DECLARATIONS.name}: [{name}] has unknown keys {sorted(unknown)}")
        native = [str(n).split("==", 1) for n in entry.get("native", ())]   # "<recipe>" or "<recipe>==<release>"
        envs[name] = Environment(
            name=name,
            python=str(entry.get("python", "")),
            requirements=tuple(entry.get("requirements", ())),
            apt=tuple(entry.get("apt", ())),
            post=tuple(entry.get("post", ())),
            pip_flags=tuple(entry.get("pip_flags", ())),
            description=entry.get("description", ""),
            native=tuple(n[0] for n in native),
            native_releases=tuple((n[0], n[1]) for n in native if len(n) == 2),
            build_env=tuple(sorted(entry.get("build_env", {}).items())),
            runtime_env=tuple(sorted(entry.get("runtime_env", {}).items())),
            lanes=tuple((package, tuple(releases)) for package, releases in entry.get("lane", {}).items()),
            node=entry.get("node", ""),
        )
        if not envs[name].python and not envs[name].node:
            raise ValueError(f"{DECLARATIONS.name}: [{name}] declares neither python nor node")
        if envs[name].node and not all((envs[name].node_project() / f).exists() for f in NODE_FILES):
            raise ValueError(f"{DECLARATIONS.name}: [{name}] names node project {envs[name].node!r}, "
                             f"which needs {' and '.join(NODE_FILES)} in {NODE_PROJECTS / envs[name].node}")
        missing = [n for n in envs[name].native if not Environment.recipe(n).exists()]
        if missing:
            raise ValueError(f"{DECLARATIONS.name}: [{name}] names native recipes that do not exist: {missing} (in {NATIVE_RECIPES})")
    if os.environ.get(UNPINNED_VARIABLE):
        envs = {name: unpinned(env) for name, env in envs.items()}
    for env in list(envs.values()):
        for package, releases in env.lanes:
            for release in releases:
                lane = with_release(env, package, release)
                envs[lane.name] = lane
    return envs


UNPINNED_VARIABLE = "ZIPCOMPAT_UNPINNED"


def unpinned(env: Environment) -> Environment:
    """The environment with its reader pins dropped: the newest releases at build time (CI's `latest` job).

    Writer environments keep their pins: the fixtures stay the same bytes, so a changed cell is a reader's doing.
    """
    if env.name.startswith("writer-"):
        return env
    names = tuple(re.split(r"[=<>!~ ;]", r, maxsplit=1)[0] for r in env.requirements)
    return replace(env, requirements=names, post=tuple(p if "{" in p else re.split(r"[=<>!~ ;]", p, maxsplit=1)[0] for p in env.post),
                   description=env.description + " (unpinned: newest releases)")


def recipe_command(script: str, prefix: str, downloads: str | None = None, release: str = "") -> list[str]:
    """How a native recipe is run, as its usage line says: bash SCRIPT PREFIX [DOWNLOAD_DIR [RELEASE]]. A release
    needs a download folder before it: without one given, "<prefix>.downloads", the recipe's own default."""
    args = [prefix]
    if downloads is not None or release:
        args.append(downloads if downloads is not None else f"{prefix}.downloads")
    if release:
        args.append(release)
    return ["bash", script, *args]


def lane_name(env_name: str, package: str, release: str) -> str:
    return f"{env_name}@{package}-{release}"


def with_release(env: Environment, package: str, release: str) -> Environment:
    """The versions-lane environment: `env` with `package` pinned to `release` instead (one declaration, no copies).

    `package` is a pip package, or one of the environment's native recipes (envs/native/<name>.sh), whose release
    the recipe then builds instead of the declared one.
    """
    if package in env.native:
        releases = tuple((n, release if n == package else r) for n, r in env.native_releases)
        if package not in dict(releases):
            releases += ((package, release),)
        return replace(env, name=lane_name(env.name, package, release), native_releases=releases,
                       description=f"{env.name} with {package} {release} (versions lane)", lane_of=env.name,
                       lane_pin=(package, release), lanes=())
    pin = f"{package}=={release}"
    requirements = [pin if r.split("==")[0].lower() == package.lower() else r for r in env.requirements]
    if pin not in requirements:
        requirements.append(pin)
    return replace(env, name=lane_name(env.name, package, release), requirements=tuple(requirements),
                   description=f"{env.name} with {package} {release} (versions lane)", lane_of=env.name,
                   lane_pin=(package, release), lanes=())


def default_environments() -> dict[str, Environment]:
    """The declared environments without their versions-lane variants."""
    return {k: e for k, e in load_environments().items() if not e.lane_of}


def get_environment(name: str) -> Environment:
    envs = load_environments()
    if name not in envs:
        raise KeyError(f"unknown environment {name!r}; declared: {', '.join(sorted(envs))}")
    return envs[name]
