"""Build a declared environment with uv into a content-keyed cache folder.

A folder is complete only once its marker file exists; a half-built folder
(an interrupted build) is removed and built again. Builds of the same
environment from parallel processes are serialised by a file lock.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from zipstore_compat.core.processes import child_environ
from zipstore_compat.envs.registry import Environment, get_environment, recipe_command

MARKER = ".zipcompat-complete"


class EnvUnavailable(RuntimeError):
    """An environment cannot be built here; carries the command that fixes it."""

    def __init__(self, name: str, reason: str, fix: str = ""):
        self.name, self.reason, self.fix = name, reason, fix
        super().__init__(f"environment {name!r} unavailable: {reason}" + (f" (fix: {fix})" if fix else ""))


def cache_root() -> Path:
    root = os.environ.get("ZIPCOMPAT_CACHE")
    if root:
        return Path(root).expanduser().resolve()
    return Path(__file__).resolve().parent.parent / ".cache"


def find_interpreter(version: str) -> str | None:
    """A python<version> on this machine: $ZIPCOMPAT_PYTHON_3_11, PATH, or pyenv."""
    override = os.environ.get("ZIPCOMPAT_PYTHON_" + version.replace(".", "_"))
    if override:
        return override
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    for candidate in (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        if os.access(candidate, os.X_OK):
            return candidate
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    hits = sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    if hits:
        return hits[-1]
    found = shutil.which(f"python{version}")
    if found and "shims" not in found:
        return found
    return None


def env_dir(env: Environment) -> Path:
    return cache_root() / "envs" / f"{env.name}-{env.key}"


def env_python(env: Environment) -> Path:
    return env_dir(env) / "bin" / "python"


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: list[str] | str, env_name: str, what: str, **kwargs) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
        raise EnvUnavailable(env_name, f"{what} failed: " + " | ".join(tail))
    return proc.stdout


def _missing_debian_packages(packages: tuple[str, ...]) -> list[str]:
    missing = []
    for pkg in packages:
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True
        )
        if "install ok installed" not in proc.stdout:
            missing.append(pkg)
    return missing


def ensure_debian_packages(env_name: str, packages: tuple[str, ...]) -> None:
    if not packages:
        return
    if shutil.which("dpkg-query") is None:
        raise EnvUnavailable(env_name, "not a Debian system (no dpkg-query)", "install: " + " ".join(packages))
    missing = _missing_debian_packages(packages)
    if not missing:
        return
    fix = "apt-get update && apt-get install -y " + " ".join(missing)
    if os.geteuid() != 0:
        raise EnvUnavailable(env_name, f"Debian packages missing: {' '.join(missing)}", "sudo " + fix)
    with _locked(cache_root() / "locks" / "apt.lock"):
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        proc = subprocess.run(["apt-get", "install", "-y", "-q", *missing], capture_output=True, text=True, env=apt_env)
        if proc.returncode != 0:
            _run(["apt-get", "update", "-q"], env_name, "apt-get update", env=apt_env)
            _run(["apt-get", "install", "-y", "-q", *missing], env_name, "apt-get install", env=apt_env)


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise EnvUnavailable("uv", "uv is not on PATH", f"{sys.executable} -m pip install uv")
    return uv


def _substitute(step: str, environ: dict | None = None) -> str:
    """A post step with "{gdal_version}" filled in: what `gdal-config --version` says on the step's own PATH (the
    native prefix's gdal-config where the environment builds GDAL)."""
    if "{gdal_version}" in step:
        version = subprocess.run(["gdal-config", "--version"], capture_output=True, text=True, env=environ).stdout.strip()
        step = step.replace("{gdal_version}", version)
    return step


def expand(variables: tuple[tuple[str, str], ...], native_prefix: Path, base: dict | None = None,
           folder: Path | None = None) -> dict[str, str]:
    """An environment's declared variables, with "{native}" (its native prefix), "{env}" (its folder) and "{PATH}" filled in."""
    base = os.environ if base is None else base
    folder = native_prefix.parent if folder is None else folder
    return {k: v.replace("{native}", str(native_prefix)).replace("{env}", str(folder))
            .replace("{PATH}", base.get("PATH", "/usr/bin:/bin")) for k, v in variables}


NATIVE_CACHE_VARIABLE = "ZIPCOMPAT_NATIVE_CACHE"


def native_cache_root() -> Path:
    """Where native builds live: one per machine, like uv's own cache ($ZIPCOMPAT_NATIVE_CACHE, else the user's cache
    folder), so that a fresh clone reuses a GDAL or netCDF-C built before from the same recipe, release and Debian
    packages instead of compiling it again (GDAL takes about 20 minutes on 2 cores)."""
    root = os.environ.get(NATIVE_CACHE_VARIABLE)
    if root:
        return Path(root).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zipstore-compat" / "native"


def installed_debian_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """The installed version of each Debian package ("" when it is not installed, or not a Debian system)."""
    out = {}
    for pkg in packages:
        try:
            proc = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
            out[pkg] = proc.stdout.strip() if proc.returncode == 0 else ""
        except OSError:
            out[pkg] = ""
    return out


def native_key(env: Environment) -> str:
    """What a native build is a function of: each recipe's bytes and release, the Debian packages it builds against
    (their installed versions: an upgraded libblosc-dev is another build) and the machine."""
    import hashlib
    import json
    import platform

    declared = {"machinery": 1, "recipes": {name: [hashlib.sha256(env.recipe(name).read_bytes()).hexdigest(), env.native_release(name)]
                                            for name in env.native},
                "apt": installed_debian_versions(env.apt), "machine": platform.machine()}
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()[:12]


def native_prefix(env: Environment) -> Path:
    """The native build of an environment: <native cache>/<recipe>-<release>-<key> (key: native_key)."""
    label = "+".join(f"{name}-{env.native_release(name) or 'default'}" for name in env.native) or "none"
    return native_cache_root() / f"{label}-{native_key(env)}"


def runtime_environ(name: str) -> dict[str, str]:
    """Variables every process in environment `name` needs (e.g. HDF5_PLUGIN_PATH)."""
    env = get_environment(name)
    return expand(env.runtime_env, native_prefix(env), folder=env_dir(env))


def build_native(env: Environment, prefix: Path, log=lambda msg: None) -> None:
    """Run the environment's native recipes (envs/native/<name>.sh PREFIX DOWNLOADS [RELEASE]) into `prefix`, once per
    machine: a prefix with its marker is complete and reused; a half-built one (an interrupted build) is built again."""
    if (prefix / MARKER).exists():
        return
    with _locked(native_cache_root() / "locks" / f"{prefix.name}.lock"):
        if (prefix / MARKER).exists():
            return
        if prefix.exists():
            shutil.rmtree(prefix)
        for recipe in env.native:
            release = env.native_release(recipe)
            log(f"running the native recipe {recipe}{' ' + release if release else ''} into {prefix} (once per machine)")
            downloads = cache_root() / "sources" / "native"
            started = time.monotonic()
            proc = subprocess.run(recipe_command(str(env.recipe(recipe)), str(prefix), str(downloads), release), capture_output=True, text=True)
            if proc.returncode != 0:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
                again = " ".join(recipe_command(str(env.recipe(recipe)), f"/tmp/{recipe}", release=release))
                raise EnvUnavailable(env.name, f"native recipe {recipe} failed: " + " | ".join(tail),
                                     f"{again} (its output says what is missing)")
            log(f"built {recipe}{' ' + release if release else ''} in {time.monotonic() - started:.0f} s")
        (prefix / MARKER).write_text(native_key(env) + "\n")


def post_commands(env: Environment, python: str, uv: str = "uv", environ: dict | None = None) -> list[list[str]]:
    """The uv commands of the environment's post steps, for the interpreter `python` (`environ`: the steps' variables)."""
    # a wheel built against a native prefix must not come from uv's cache: its key does not see the prefix
    no_cache = ["--no-cache"] if env.native else []
    return [[uv, "pip", "install", "-q", "--python", python, *no_cache, *env.pip_flags, *_substitute(step, environ).split()]
            for step in env.post]


NODE_FIX = "apt-get install -y nodejs npm"


def build_node(env: Environment, target: Path, log=lambda msg: None) -> None:
    """`npm ci` of the environment's committed package.json and package-lock.json into `target`."""
    from zipstore_compat.envs.registry import NODE_FILES, node_version

    npm = shutil.which("npm")
    if not node_version() or npm is None:
        raise EnvUnavailable(env.name, "Node.js (node and npm) is not installed", NODE_FIX)
    log(f"installing the Node.js packages of {env.name} with npm ci")
    for name in NODE_FILES:
        shutil.copyfile(env.node_project() / name, target / name)
    _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], env.name, "npm ci", cwd=str(target))


def ensure_environment(name: str, log=lambda msg: None) -> Path:
    """Return the python of environment `name` (a Node.js environment: its folder), building it if needed."""
    env = get_environment(name)
    target = env_dir(env)
    done = target if env.node else env_python(env)
    if _complete(env, target):
        return done
    with _locked(cache_root() / "locks" / f"{env.name}-{env.key}.lock"):
        if _complete(env, target):
            return done
        ensure_debian_packages(name, env.apt)
        if env.node:
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            build_node(env, target, log)
            (target / MARKER).write_text(env.key + "\n")
            return done
        interpreter = find_interpreter(env.python)
        if interpreter is None:
            raise EnvUnavailable(
                name,
                f"no Python {env.python} interpreter on this machine",
                f"apt-get install -y python{env.python} python{env.python}-venv, or set ZIPCOMPAT_PYTHON_{env.python.replace('.', '_')}",
            )
        if target.exists():
            shutil.rmtree(target)
        log(f"building environment {name} ({env.key}) with Python {env.python}")
        uv = _uv()
        uv_env = child_environ({"UV_PYTHON_DOWNLOADS": "never"}, project_path=False)  # uv never downloads an interpreter
        _run([uv, "venv", "-q", "--python", interpreter, str(target)], name, "uv venv", env=uv_env)
        python = str(env_python(env))
        if env.requirements:
            _run([uv, "pip", "install", "-q", "--python", python, *env.requirements], name, "uv pip install", env=uv_env)
        native = native_prefix(env) if env.native else None
        if native is not None:
            build_native(env, native, log)
        post_env = dict(uv_env, **expand(env.build_env, native or target / "native", uv_env, folder=target))
        for step, command in zip(env.post, post_commands(env, python, uv, post_env)):
            _run(command, name, f"post step {step!r}", env=post_env)
        (target / MARKER).write_text(env.key + "\n" + (f"native {native}\n" if native else ""))
        return env_python(env)


def _complete(env: Environment, target: Path) -> bool:
    """The environment folder is built, against the native build the environment needs now (a Debian package
    upgrade gives another native build, and the bindings in the folder must be rebuilt against it)."""
    marker = target / MARKER
    if not marker.exists():
        return False
    if not env.native:
        return True
    return f"native {native_prefix(env)}" in marker.read_text().splitlines()
