"""Where the suite's code and data are, and where a run writes: the one rule every part uses.

    CODE           the folder that holds compat_tests/, fixtures/, envs/, matrix.yaml, ...: a checkout's root, or the
                   installed package's own folder (site-packages/zipstore_compat), which nothing ever writes into
    is_checkout()  CODE is a repository checkout (its pyproject.toml and zipstore_compat/ folder beside the packages)
    work_root()    where outputs go (reports/, build/): a checkout's root, as always; for an installed package the
                   current working folder (a maintainer's CI job folder)
    reports()      <work root>/reports: results.json, matrix.md, matrix.html, bug reports, repro bundles, benchmarks
    fixtures_dir() <work root>/build/fixtures: the built fixtures (the corpus a run reads)
    cache_root()   $ZIPCOMPAT_CACHE; else a checkout's .cache/; else the user's cache folder
                   ($XDG_CACHE_HOME or ~/.cache)/zipstore-compat: environments, datasets, fixtures, results
    import_root()  the folder a child process puts on PYTHONPATH to import zipstore_compat (and nothing else of this
                   machine's: an installed package's site-packages would shadow the environment's own libraries)

Standard library only: core imports nothing of ours.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = "zipstore_compat"
CODE = Path(__file__).resolve().parent.parent
CACHE_VARIABLE = "ZIPCOMPAT_CACHE"


def is_checkout(code: Path = CODE) -> bool:
    return (code / "pyproject.toml").is_file() and (code / PACKAGE / "__init__.py").is_file()


def work_root() -> Path:
    return CODE if is_checkout() else Path.cwd()


def reports() -> Path:
    return work_root() / "reports"


def results_file() -> Path:
    return reports() / "results.json"


def fixtures_dir() -> Path:
    return work_root() / "build" / "fixtures"


def user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zipstore-compat"


def cache_root() -> Path:
    root = os.environ.get(CACHE_VARIABLE)
    if root:
        return Path(root).expanduser().resolve()
    return CODE / ".cache" if is_checkout() else user_cache()


def import_root() -> Path:
    """A checkout's root (its zipstore_compat/ folder extends the package over it); for an installed package a folder
    of the cache that holds only a link named zipstore_compat to the package (made once, atomically)."""
    if is_checkout():
        return CODE
    import hashlib

    folder = cache_root() / "import-root" / hashlib.sha256(str(CODE).encode()).hexdigest()[:16]
    link = folder / PACKAGE
    if not link.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{PACKAGE}-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(CODE, target_is_directory=True)
        os.replace(temporary, link)
    return folder


def shown(path: Path) -> str:
    """A path as the suite prints it: relative to the code root when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(CODE)) if path.is_relative_to(CODE) else str(path)
