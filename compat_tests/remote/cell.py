"""One remote cell: the reader gets the archive's URL, the usual checks judge what it returned, the logs say the cost.

The worker request is the local one with `archive` a URL (docs/worker-protocol.md), a new URL per
attempt (its token attributes the access-log lines to the attempt). The one-chunk kind's manifest is
the fixture's narrowed to one chunk (compat_tests/remote/chunk.py). The cell's `remote` record: its case,
the minimum, and the cost of the attempt that decided the outcome (the default call, or the option it
needs), with every attempt's figures beside it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from zipstore_compat.compat_tests.bounded import read_json
from zipstore_compat.compat_tests.cells import CellResult, cell_id, run_cell
from zipstore_compat.compat_tests.remote.chunk import ChunkTruthError, write_one_chunk_manifest
from zipstore_compat.compat_tests.remote.cost import measure
from zipstore_compat.compat_tests.remote.minimum import MinimumError, minimum_bytes
from zipstore_compat.compat_tests.remote.nginx import ServerUnavailable
from zipstore_compat.compat_tests.remote.plan import Case


def run_remote_cell(reader, case: Case, archive: Path, manifest_path: Path, pool, describe, servers, timeout: float) -> CellResult:
    cell = cell_id(reader.id, case.id)
    description = describe(reader)
    if description.get("status") == "not-installed":
        return CellResult(cell, reader.id, case.id, "not-installed", description["unavailable"])
    try:
        servers.start()
    except ServerUnavailable as exc:
        return CellResult(cell, reader.id, case.id, "not-installed", str(exc))
    manifest = read_json(manifest_path)
    with tempfile.TemporaryDirectory(prefix="zipcompat-remote-") as scratch:
        try:
            if case.kind == "one-chunk":
                view = write_one_chunk_manifest(manifest, Path(scratch) / "one-chunk.manifest.json")
                read_arrays, first_only = [json.loads(view.read_text())["read"]["array"]], True
            else:
                view, read_arrays, first_only = manifest_path, [a["path"] for a in manifest["arrays"]], False
            minimum = minimum_bytes(archive, manifest, read_arrays, first_only)
        except (ChunkTruthError, MinimumError, OSError) as exc:
            return CellResult(cell, reader.id, case.id, "fixture-error", f"the remote case cannot be judged: {exc}")
        tokens: list[str] = []

        def locate(attempt: int) -> str:
            tokens.append(servers.new_token())
            return servers.url(case, tokens[-1], archive.name)

        result = run_cell(reader, case.id, archive, view, pool, describe, timeout=timeout, locate=locate)
    attempts = []
    for token, attempt in zip(tokens, result.attempts or [{"label": "default"}]):
        lines, actions = servers.requests(token), servers.fault_actions(token)
        chosen = attempt["label"] == (result.option or "default")
        figures = measure(lines, actions, minimum, result.outcome if chosen else attempt.get("outcome", result.outcome),
                          result.option if chosen else None)
        attempts.append({"label": attempt["label"], "url": servers.url(case, token, archive.name), **figures})
    decided = next((a for a in attempts if a["label"] == (result.option or "default")), attempts[0] if attempts else {})
    result.remote = {
        "fixture": case.fixture, "kind": case.kind, "server": case.server, "made_by": case.made_by, "case": case.describe(),
        "minimum_bytes": minimum["bytes"], "minimum_members": minimum["members"], "archive_bytes": minimum["archive_bytes"],
        "central_directory_bytes": minimum["central_directory_bytes"],
        **{k: v for k, v in decided.items() if k != "label"}, "attempt": decided.get("label", "default"),
        "attempts": attempts if len(attempts) > 1 else [],
    }
    return result
