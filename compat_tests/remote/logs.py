"""A JSON-lines log another process appends to, read as it grows, its lines kept by token."""

from __future__ import annotations

import json
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
