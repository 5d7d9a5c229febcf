"""An environment's install script: how to install it, or the part of it a script needs, somewhere else.

Repro bundles and bug reports both hand a user an install: the packages at the
versions the matrix ran (what `uv pip freeze` lists in the built environment),
in the order the environment itself is built (envs.build.ensure_environment):
Debian packages, the native recipes built from source, the pinned requirements,
then the post steps with their pip flags and build variables. `install_script`
is the one place that says what that is; its InstallScript gives the shell form
a user reads (`line`, `recipe_lines`, `pip_line`, `runtime_exports`) and the
commands that build it here (`fresh_environment`: a new uv venv, never a
downloaded interpreter), so what a check runs is what the user is told.
"""

from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.core.processes import child_environ
from zipstore_compat.envs.build import _substitute, ensure_environment, expand, find_interpreter
from zipstore_compat.envs.registry import get_environment, recipe_command

SHELL_PREFIX = "$PWD/native"   # where the shell form builds a native library: a folder beside the user's script
GDAL_VERSION = "$(gdal-config --version)"   # a post step's "{gdal_version}" in the shell form


@dataclass(frozen=True)
class PipStep:
    requirements: tuple[str, ...]          # pinned requirements (or pip's own arguments, e.g. -r FILE)
    flags: tuple[str, ...] = ()            # pip flags (a post step's --no-build-isolation, ...)
    post: bool = False                     # a post step: built against what came before, with the build variables


@dataclass(frozen=True)
class InstallScript:
    env: str                                       # the environment it installs (or a part of)
    python: str = ""                               # its interpreter's version ("" : no Python, e.g. a command-line tool)
    apt: tuple[str, ...] = ()                      # Debian packages, first
    native: tuple[tuple[str, str], ...] = ()       # (recipe, release) built from source next ("" : the recipe's default)
    pip: tuple[PipStep, ...] = ()                  # then these, in order
    npm: tuple[str, ...] = ()                      # name@version, for a Node.js script
    build_env: tuple[tuple[str, str], ...] = ()    # variables of the post steps ("{native}", "{PATH}")
    runtime_env: tuple[tuple[str, str], ...] = ()  # variables of every process run in it

    # ---- the shell form: what a user reads and pastes ----

    def recipe_lines(self, prefix: str = SHELL_PREFIX, script: str = "build-{}.sh") -> list[str]:
        """One line per native recipe, run from a copy of it beside the user (`script`, "{}" its name)."""
        return [" ".join(recipe_command(script.format(name), prefix, release=release)) for name, release in self.native]

    def shell_requirements(self, step: PipStep) -> list[str]:
        """A step's requirements as a shell takes them (a post step's "{gdal_version}": the system's, asked of gdal-config)."""
        return [r.replace("{gdal_version}", GDAL_VERSION) for r in step.requirements]

    def pip_line(self, step: PipStep, pip: str = "pip", prefix: str = SHELL_PREFIX) -> str:
        """`pip install` of one step; a post step with the build variables before it."""
        exports = " ".join(f"{k}={v}" for k, v in self._shell_variables(self.build_env, prefix).items()) if step.post else ""
        return (exports + " " if exports else "") + f"{pip} install " + " ".join([*step.flags, *self.shell_requirements(step)])

    def runtime_exports(self, prefix: str = SHELL_PREFIX) -> dict[str, str]:
        return self._shell_variables(self.runtime_env, prefix)

    def line(self) -> str:
        """One shell line a user can paste: apt (if any), the native builds, pip, npm."""
        parts = []
        if self.apt:
            parts.append("apt-get install -y " + " ".join(self.apt))
        if self.native:
            parts.append(" && ".join(self.recipe_lines()))
        parts += [self.pip_line(step) for step in self.pip]
        if self.npm:
            parts.append("npm install " + " ".join(self.npm))
        return " && ".join(parts)

    def package_json(self) -> str:
        """A Node.js script's package.json: its packages at exactly these versions."""
        dependencies = dict(spec.rsplit("@", 1) for spec in self.npm)
        return json.dumps({"private": True, "type": "module", "dependencies": dependencies}, indent=2) + "\n"

    @staticmethod
    def _shell_variables(variables, prefix: str) -> dict[str, str]:
        return expand(variables, Path(prefix), {"PATH": "$PATH"})

    # ---- here: the commands that build it ----

    def pip_commands(self, python: str, uv: str = "uv") -> list[list[str]]:
        """The uv commands of the pip steps, for the interpreter `python`."""
        commands = []
        for step in self.pip:
            # a wheel built against a native prefix must not come from uv's cache: its key does not see the prefix
            no_cache = ["--no-cache"] if step.post and self.native else []
            requirements = [word for r in step.requirements for word in _substitute(r).split()]
            commands.append([uv, "pip", "install", "-q", "--python", python, *no_cache, *step.flags, *requirements])
        return commands

    def recipe_commands(self, recipes: Path, prefix: Path, downloads: Path, script: str = "build-{}.sh") -> list[list[str]]:
        """The native builds from the recipes in folder `recipes` (named `script`) into `prefix`."""
        return [recipe_command(str(recipes / script.format(name)), str(prefix), str(downloads), release) for name, release in self.native]

    def build_environ(self, prefix: Path, base: dict) -> dict[str, str]:
        return dict(base, **expand(self.build_env, prefix, base))

    def runtime_environ(self, prefix: Path) -> dict[str, str]:
        return expand(self.runtime_env, prefix)


class InstallFailed(RuntimeError):
    """A step of a fresh environment failed: the command (None: no interpreter to start from) and what it said."""

    def __init__(self, why: str, command: list[str] | None = None):
        self.why, self.command = why, command
        super().__init__(why)


def fresh_environment(script: InstallScript, venv: Path, native: Path, recipes: Path | None = None, downloads: Path | None = None,
                      log=lambda message: None) -> Path:
    """Build `script` into a new uv venv at `venv` on this machine's interpreter of its Python (never a downloaded one):
    the requirements, the native recipes found in `recipes` (None: a build already in `native` is used), then the
    post steps, each with the build variables. Returns the venv's python; InstallFailed when a step fails."""
    interpreter = find_interpreter(script.python)
    if interpreter is None:
        raise InstallFailed(f"no Python {script.python} on this machine")
    uv_env = child_environ({"UV_PYTHON_DOWNLOADS": "never"}, project_path=False)  # uv never downloads an interpreter
    python = venv / "bin" / "python"
    pip = dict(zip(script.pip, script.pip_commands(str(python))))
    steps = [["uv", "venv", "-q", "--python", interpreter, str(venv)]]
    steps += [command for step, command in pip.items() if not step.post]
    if recipes is not None:
        steps += script.recipe_commands(recipes, native, downloads if downloads is not None else Path(f"{native}.downloads"))
    steps += [command for step, command in pip.items() if step.post]
    environ = script.build_environ(native, uv_env)
    for step in steps:
        if step[0] == "bash":
            log(f"building {Path(step[1]).name} into {native} ...")
        proc = subprocess.run(step, capture_output=True, text=True, env=environ)
        if proc.returncode != 0:
            raise InstallFailed(proc.stderr.strip(), step)
    return python


# ---- what an environment holds ----

@functools.lru_cache(maxsize=None)
def frozen(python: Path) -> tuple[str, ...]:
    """The pinned distributions installed in an environment, as `uv pip freeze` lists them (name==version)."""
    proc = subprocess.run(["uv", "pip", "freeze", "--python", str(python)], capture_output=True, text=True, check=True)
    return tuple(line for line in proc.stdout.splitlines() if "==" in line and not line.startswith(("-e ", "#")) and " @ " not in line)


def normalised(name: str) -> str:
    """A distribution's name as pip compares it."""
    return name.lower().replace("_", "-").replace(".", "-")


def _name(requirement: str) -> str:
    return normalised(requirement.split("==", 1)[0].strip())


def install_script(env_name: str, packages: list[str] | None = None, *, debian: bool = False,
                   requirements_file: Path | None = None) -> InstallScript:
    """The install script of environment `env_name`, pinned to what its built folder holds.

    packages None: the whole environment (a repro bundle): every distribution installed in it, then its post
    steps as declared; with `requirements_file`, the first step installs that file instead (a bundle's own
    requirements.txt, run again). packages: only those (a bug report's script), each at its installed version,
    and what a post step among them needs to build. A Node.js environment: `npm install` of those packages at
    the versions its package.json pins. debian: the packages of a command-line tool are Debian packages, or
    "native:<recipe>" for the environment's native build and the Debian packages it needs.
    """
    env = get_environment(env_name)
    common = {"env": env_name, "build_env": env.build_env, "runtime_env": env.runtime_env}
    if debian:
        native = tuple(p.split(":", 1)[1] for p in packages or () if p.startswith("native:"))
        apt = tuple(env.apt) if native else tuple(p for p in packages or () if not p.startswith("native:"))
        return InstallScript(apt=apt, native=tuple((n, env.native_release(n)) for n in native), **common)
    if env.node:
        pinned = json.loads((env.node_project() / "package.json").read_text(encoding="utf-8"))["dependencies"]
        wanted = list(pinned) if packages is None else packages
        missing = [p for p in wanted if p not in pinned]
        if missing:
            raise ValueError(f"the {env_name} environment's package.json has no {', '.join(missing)}")
        return InstallScript(npm=tuple(f"{p}@{pinned[p]}" for p in wanted), **common)
    common.update(python=env.python, apt=tuple(env.apt), native=tuple((n, env.native_release(n)) for n in env.native))
    post_names = {_name(step) for step in env.post}
    if packages is None:
        if requirements_file is not None:
            first = PipStep(("-r", str(requirements_file)))
        else:
            first = PipStep(tuple(r for r in frozen(ensure_environment(env_name)) if _name(r) not in post_names))
        post = [PipStep(tuple(step.split()), tuple(env.pip_flags), post=True) for step in env.post]
        return InstallScript(pip=(first, *post), **common)
    versions = {_name(r): r.split("==", 1)[1].strip() for r in frozen(ensure_environment(env_name))}
    missing = [p for p in packages if normalised(p) not in versions]
    if missing:
        raise ValueError(f"the {env_name} environment has no {', '.join(missing)}: the script template names a package it does not install")
    pinned = [f"{p}=={versions[normalised(p)]}" for p in packages if normalised(p) not in post_names]
    if not (env.post and any(normalised(p) in post_names for p in packages)):
        return InstallScript(pip=(PipStep(tuple(pinned)),), **common)
    # a post step builds against something: its build requirements come first, as the environment declares them
    build_requirements = [r for r in env.requirements if _name(r) not in {normalised(p) for p in packages}]
    post = tuple(f"{p}=={versions[normalised(p)]}" for p in packages if normalised(p) in post_names)
    return InstallScript(pip=(PipStep(tuple(pinned + build_requirements)), PipStep(post, tuple(env.pip_flags), post=True)), **common)
