"""The one registry of environments: parsed from environments.toml."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DECLARATIONS = Path(__file__).with_name("environments.toml")
NATIVE_RECIPES = Path(__file__).with_name("native")
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
    build_env: tuple[tuple[str, str], ...] = ()      # variables for the post steps ("{native}", "{PATH}")
    runtime_env: tuple[tuple[str, str], ...] = ()    # variables for every process run in the environment
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
        body = json.dumps(declared, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:12]

    @staticmethod
    def recipe(name: str) -> Path:
        return NATIVE_RECIPES / f"{name}.sh"


@cache
def load_environments() -> dict[str, Environment]:
    raw = tomllib.loads(DECLARATIONS.read_text(encoding="utf-8"))
    known = {"python", "requirements", "apt", "post", "pip_flags", "description", "native", "build_env", "runtime_env"}
    envs = {}
    for name, entry in raw.items():
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"{DECLARATIONS.name}: [{name}] has unknown keys {sorted(unknown)}")
        envs[name] = Environment(
            name=name,
            python=str(entry["python"]),
            requirements=tuple(entry.get("requirements", ())),
            apt=tuple(entry.get("apt", ())),
            post=tuple(entry.get("post", ())),
            pip_flags=tuple(entry.get("pip_flags", ())),
            description=entry.get("description", ""),
            native=tuple(entry.get("native", ())),
            build_env=tuple(sorted(entry.get("build_env", {}).items())),
            runtime_env=tuple(sorted(entry.get("runtime_env", {}).items())),
        )
        missing = [n for n in envs[name].native if not Environment.recipe(n).exists()]
        if missing:
            raise ValueError(f"{DECLARATIONS.name}: [{name}] names native recipes that do not exist: {missing} (in {NATIVE_RECIPES})")
    return envs


def get_environment(name: str) -> Environment:
    envs = load_environments()
    if name not in envs:
        raise KeyError(f"unknown environment {name!r}; declared: {', '.join(sorted(envs))}")
    return envs[name]
