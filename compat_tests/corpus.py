"""The corpus: the suite's fixtures (archives and manifests) as one versioned, checksummed set that travels.

    python -m zipstore_compat corpus fetch DIR [--url URL]   download the release's artifact, verified, into DIR
    python -m zipstore_compat corpus build DIR               build it here from the datasets (the writer environments)
    python -m zipstore_compat corpus verify DIR              every file of DIR against the index
    python -m zipstore_compat corpus externals DIR           other projects' archives beside it (their addresses, verified)
    python -m zipstore_compat corpus index DIR               write release/corpus.json from a built DIR (a release)
    python -m zipstore_compat corpus pack DIR OUT            the release's artifact of DIR (one .tar.gz), into OUT

The corpus is the generated default set, the hostile set and the reader habits' manifests: what this suite makes.
Other projects' archives (external/catalogue.toml) are never in it (their data is theirs): `corpus externals DIR`
fetches them from their own addresses (or $ZIPCOMPAT_EXTERNAL_MIRROR), each checked against the catalogue's
sha256, and writes their reference manifests beside the corpus; a run reads them when they are there, and says
they were not tested when they are not. The package ships the index, release/corpus.json: every file's
name, size and sha256, and the artifact's; a folder given to a run (pytest --corpus DIR) is checked against it, and
a file that differs is one line, never a cell's surprise. The artifact is a deterministic tar.gz (sorted names, no
times, no owners): the same files give the same bytes, so its sha256 is known before it is published.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

from zipstore_compat.core.locations import CODE

INDEX_FILE = CODE / "release" / "corpus.json"
SCHEMA = 1
URL_VARIABLE = "ZIPCOMPAT_CORPUS_URL"   # where `corpus fetch` downloads from, when --url is not given
CHUNK = 1 << 20


class CorpusError(RuntimeError):
    """A corpus that cannot be used, in one line."""


def artifact_name(suite: str) -> str:
    return f"zipstore-compat-corpus-{suite}.tar.gz"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_ids() -> list[str]:
    """What the corpus holds: the generated default set, the hostile set, the habits (never another project's archive)."""
    from zipstore_compat.compat_tests.habits import habit_ids
    from zipstore_compat.fixtures.hostile import hostile_ids
    from zipstore_compat.fixtures.registry import default_fixtures

    return [*default_fixtures(), *hostile_ids(), *habit_ids()]


def fixture_files(folder: Path, fixture_id: str) -> list[str]:
    """A fixture's files in `folder`: its manifest and the archive the manifest names ([] when the manifest is missing)."""
    manifest = folder / f"{fixture_id}.manifest.json"
    if not manifest.is_file():
        return []
    archive = json.loads(manifest.read_text(encoding="utf-8")).get("archive") or f"{fixture_id}.zip"
    return [manifest.name] + ([archive] if archive != manifest.name else [])


def make_index(folder: Path, suite: str) -> dict:
    """The index of a complete built corpus in `folder` (every fixture of corpus_ids must be there)."""
    files, missing = {}, []
    for fixture_id in corpus_ids():
        names = fixture_files(folder, fixture_id)
        if not names or not all((folder / n).is_file() for n in names):
            missing.append(fixture_id)
            continue
        differ = rebuilds_differ(folder, fixture_id)
        for name in names:
            files[name] = {"fixture": fixture_id, "size": (folder / name).stat().st_size, "sha256": sha256_of(folder / name)}
            if differ:
                files[name]["rebuilds_differ"] = differ
    if missing:
        raise CorpusError(f"{folder}: {len(missing)} fixture(s) of the corpus are not built there ({', '.join(missing[:5])}"
                          f"{' ...' if len(missing) > 5 else ''}): build them first (python -m zipstore_compat corpus build {folder})")
    return {"corpus_schema": SCHEMA, "suite": suite, "files": dict(sorted(files.items())), "artifact": None, "url": None}


def rebuilds_differ(folder: Path, fixture_id: str) -> str:
    """Why a rebuild of the fixture does not give the release's bytes: its writer's `nondeterministic` declaration, as
    its manifest states it (dask's threaded scheduler, libzip's and GDAL's clocks); "" for every other fixture."""
    manifest = folder / f"{fixture_id}.manifest.json"
    try:
        writer = json.loads(manifest.read_text(encoding="utf-8")).get("writer")
    except (OSError, ValueError):
        return ""
    return (writer or {}).get("nondeterministic", "") if isinstance(writer, dict) else ""


def load_index(path: Path = INDEX_FILE) -> dict:
    try:
        index = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"corpus index {path}: cannot be read ({exc})") from None
    if index.get("corpus_schema") != SCHEMA or not isinstance(index.get("files"), dict):
        raise CorpusError(f"corpus index {path}: not a corpus index of schema {SCHEMA}")
    return index


def write_index(index: dict, path: Path = INDEX_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def verify(folder: Path, index: dict, complete: bool = False, rebuilt: bool = False) -> list[str]:
    """What in `folder` differs from the index: a file whose bytes differ, and (complete) a file that is missing.
    Files the index does not name (another project's archive fetched beside, a results file) are not its business.
    `rebuilt`: the folder was built here, not fetched: a file the index says no rebuild reproduces (`rebuilds_differ`,
    a nondeterministic writer's) must be there, its bytes are not compared."""
    problems = []
    for name, facts in index["files"].items():
        path = folder / name
        if not path.is_file():
            if complete:
                problems.append(f"{name}: missing")
            continue
        if rebuilt and facts.get("rebuilds_differ"):
            continue
        if path.stat().st_size != facts["size"] or sha256_of(path) != facts["sha256"]:
            problems.append(f"{name}: differs from the corpus of zipstore-compat {index['suite']} (sha256 {facts['sha256'][:12]}...)")
    return problems


def present_fixtures(folder: Path, index: dict) -> list[str]:
    """The fixtures of the index whose every file is in `folder`."""
    by_fixture: dict[str, list[str]] = {}
    for name, facts in index["files"].items():
        by_fixture.setdefault(facts["fixture"], []).append(name)
    return sorted(f for f, names in by_fixture.items() if all((folder / n).is_file() for n in names))


def pack(folder: Path, index: dict, out: Path) -> dict:
    """The release's artifact: the index's files of `folder` in one deterministic tar.gz in `out`; returns its facts
    (name, size, sha256), which the index then carries."""
    problems = verify(folder, index, complete=True)
    if problems:
        raise CorpusError(f"{folder} is not the indexed corpus: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    out.mkdir(parents=True, exist_ok=True)
    target = out / artifact_name(index["suite"])
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in sorted(index["files"]):
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = index["files"][name]["size"], 0, 0o644, 0, 0, "", ""
                with open(folder / name, "rb") as handle:
                    tar.addfile(info, handle)
    return {"name": target.name, "size": target.stat().st_size, "sha256": sha256_of(target)}


def download(url: str, target: Path, expected: dict, log=print) -> None:
    """`url` to `target`, checked against the artifact's size and sha256; progress on stderr."""
    digest, got, started, shown = hashlib.sha256(), 0, time.monotonic(), 0.0
    partial = target.with_name(target.name + ".partial")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as handle:
            for block in iter(lambda: response.read(CHUNK), b""):
                handle.write(block)
                digest.update(block)
                got += len(block)
                if got > expected["size"]:
                    raise CorpusError(f"{url}: larger than the corpus artifact's {expected['size']:,} bytes: not the release's artifact")
                if time.monotonic() - shown > 5:
                    shown = time.monotonic()
                    log(f"corpus: {got / 2**20:.0f} of {expected['size'] / 2**20:.0f} MiB")
    except (OSError, ValueError) as exc:
        partial.unlink(missing_ok=True)
        raise CorpusError(f"{url}: cannot be downloaded ({exc})") from None
    except CorpusError:
        partial.unlink(missing_ok=True)
        raise
    if got != expected["size"] or digest.hexdigest() != expected["sha256"]:
        partial.unlink(missing_ok=True)
        raise CorpusError(f"{url}: {got:,} bytes with sha256 {digest.hexdigest()[:12]}..., not the corpus artifact "
                          f"({expected['size']:,} bytes, sha256 {expected['sha256'][:12]}...): refused")
    os.replace(partial, target)
    log(f"corpus: {got / 2**20:.1f} MiB in {time.monotonic() - started:.1f} s, sha256 verified")


def unpack(artifact: Path, folder: Path, index: dict) -> int:
    """The artifact's files into `folder`: only regular files the index names (no path in a name), each verified."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(artifact, mode="r:gz") as tar:
        for member in tar:
            if not member.isfile() or member.name not in index["files"] or "/" in member.name or member.name.startswith("."):
                raise CorpusError(f"{artifact}: member {member.name!r} is not a file of the corpus: refused")
            source = tar.extractfile(member)
            handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".unpack-", delete=False)
            with handle, source:
                shutil.copyfileobj(source, handle, CHUNK)
            os.replace(handle.name, folder / member.name)
            count += 1
    problems = verify(folder, index, complete=True)
    if problems:
        raise CorpusError(f"{folder}: {problems[0]}")
    return count


def fetch(folder: Path, index: dict, url: str | None = None, log=print) -> int:
    """The release's artifact downloaded, verified and unpacked into `folder`; the files already there and right
    are kept (nothing is downloaded when all are)."""
    if not verify(folder, index, complete=True):
        log(f"corpus: {folder} already holds the corpus of zipstore-compat {index['suite']}")
        return 0
    if not index.get("artifact"):
        raise CorpusError(f"this package's corpus index names no artifact (zipstore-compat {index['suite']} was not released with "
                          "one): build the corpus here instead (python -m zipstore_compat corpus build DIR)")
    url = url or os.environ.get(URL_VARIABLE) or index.get("url")
    if not url:
        raise CorpusError(f"no address for {index['artifact']['name']}: give --url URL (or set {URL_VARIABLE})")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as tmp:
        artifact = Path(tmp) / index["artifact"]["name"]
        download(url, artifact, index["artifact"], log)
        return unpack(artifact, folder, index)


def build(folder: Path, log=print) -> list[str]:
    """The corpus built here (the fixtures' writer environments; the hostile archives in pure Python); returns what
    differs from the index (an empty list: byte-identical to the release's)."""
    from zipstore_compat.compat_tests.habits import with_probes, write_habit_manifests
    from zipstore_compat.fixtures.build import build as build_fixtures
    from zipstore_compat.fixtures.hostile import place_hostile
    from zipstore_compat.fixtures.registry import default_fixtures

    started = time.monotonic()
    result = build_fixtures(with_probes(list(default_fixtures().values())), out=folder)
    if result.errors:
        raise CorpusError(f"{len(result.errors)} fixture(s) could not be built: " + "; ".join(f"{k}: {v}" for k, v in list(result.errors.items())[:3]))
    place_hostile(folder)
    write_habit_manifests(folder)
    log(f"corpus: built in {folder} in {time.monotonic() - started:.0f} s ({result.cached} of {len(result.built)} from the fixture cache)")
    if not INDEX_FILE.is_file():
        log(f"corpus: no index to compare with ({INDEX_FILE}): write one with python -m zipstore_compat corpus index {folder}")
        return []
    return verify(folder, load_index(), complete=True, rebuilt=True)


def externals(folder: Path, log=print) -> dict[str, str]:
    """Other projects' archives into `folder`, beside the corpus, with their reference manifests (the same as a run of
    the matrix places: fixtures/external.py, the reference reading in a capped worker); returns id -> why not."""
    from zipstore_compat.compat_tests.byo import CappedReference
    from zipstore_compat.compat_tests.result_cache import CachedReference, Mode
    from zipstore_compat.fixtures.external import place_external

    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    with CappedReference() as reference:
        errors, unavailable = place_external(folder, reference=CachedReference(reference, Mode(True, True)))
    log(f"corpus: other projects' archives in {folder} in {time.monotonic() - started:.0f} s: "
        f"{len(unavailable)} could not be had, {len(errors)} cannot be judged")
    return {**unavailable, **errors}


def main(argv=None) -> int:
    from zipstore_compat import __version__

    parser = argparse.ArgumentParser(prog="python -m zipstore_compat corpus", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("fetch", "download the release's artifact, verified, into DIR"), ("build", "build it here from the datasets"),
                       ("verify", "every file of DIR against the index"), ("index", "write the index of a built DIR"),
                       ("externals", "other projects' archives beside the corpus, from their own addresses (needs the build extra)")):
        command = sub.add_parser(name, help=text)
        command.add_argument("dir", type=Path)
        if name == "fetch":
            command.add_argument("--url", help=f"the artifact's address (default: ${URL_VARIABLE}, or the index's)")
        if name == "index":
            command.add_argument("--out", type=Path, default=INDEX_FILE, help="where the index goes (default: release/corpus.json)")
            command.add_argument("--artifact", type=Path, metavar="OUT", help="pack the artifact into OUT too, and index it")
            command.add_argument("--url", help="the address the artifact will be published at (the release's)")
    pack_command = sub.add_parser("pack", help="the release's artifact of DIR, into OUT")
    pack_command.add_argument("dir", type=Path)
    pack_command.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        if args.command == "index":
            index = make_index(args.dir, __version__)
            if args.artifact:
                index["artifact"] = pack(args.dir, index, args.artifact)
                index["url"] = args.url
            write_index(index, args.out)
            size = sum(f["size"] for f in index["files"].values())
            log(f"wrote {args.out}: {len(index['files'])} files of {len(corpus_ids())} fixtures, {size / 2**20:.1f} MiB"
                + (f"; artifact {index['artifact']['name']} {index['artifact']['size'] / 2**20:.1f} MiB" if index["artifact"] else ""))
            return 0
        if args.command == "externals":
            missing = externals(args.dir, log)
            for fixture_id, why in sorted(missing.items()):
                print(f"not had: {fixture_id}: {why}", file=sys.stderr)
            return 0
        if args.command == "build":
            problems = build(args.dir, log)
            suite = load_index()["suite"] if INDEX_FILE.is_file() else __version__
            return _said(problems, args.dir, suite)
        index = load_index()
        if args.command == "pack":
            facts = pack(args.dir, index, args.out)
            print(json.dumps(facts))
            return 0 if not index.get("artifact") or index["artifact"]["sha256"] == facts["sha256"] else 1
        if args.command == "fetch":
            count = fetch(args.dir, index, args.url, log)
            log(f"corpus: {args.dir} holds the corpus of zipstore-compat {index['suite']}" + (f" ({count} files written)" if count else ""))
            return 0
        return _said(verify(args.dir, index, complete=True), args.dir, index["suite"])
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _said(problems: list[str], folder: Path, suite: str) -> int:
    for line in problems[:20]:
        print(line, file=sys.stderr)
    if problems:
        print(f"{len(problems)} file(s) of {folder} differ from the corpus of zipstore-compat {suite}", file=sys.stderr)
        return 1
    print(f"{folder}: every file of the corpus of zipstore-compat {suite} is there" + ("" if not INDEX_FILE.is_file() else ", sha256 verified"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
