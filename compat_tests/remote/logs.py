"""A JSON-lines log another process appends to, read as it grows, its lines kept by token."""

from __future__ import annotations

import json
import time
from pathlib import Path


class JsonLinesLog:
    """Each line read once; `prepare(line)` returns the line's token (and may normalise its fields)."""

    def __init__(self, path: Path, prepare):
        self.path, self.prepare = Path(path), prepare
        self.offset, self.rest = 0, b""
        self.by_token: dict[str, list[dict]] = {}
        self.lines = 0

    def read_new(self) -> int:
        """Read what was appended since the last call; how many lines."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return 0
        self.offset += len(data)
        *complete, self.rest = (self.rest + data).split(b"\n")
        for raw in complete:
            if raw.strip():
                line = json.loads(raw)
                self.by_token.setdefault(self.prepare(line), []).append(line)
                self.lines += 1
        return len(complete)

    def lines_of(self, token: str) -> list[dict]:
        return list(self.by_token.get(token, []))

    def settle(self, quiet: float = 0.05, limit: float = 2.0) -> None:
        """Read until nothing new comes for `quiet` seconds (`limit` seconds at most): a server writes a request's line
        as the request ends, a moment after the client has its answer."""
        deadline = time.monotonic() + limit
        self.read_new()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            if not self.read_new():
                return
