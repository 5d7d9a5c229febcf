"""The remote cases: which archives a remote reader reads, which read it makes, and which server it faces.

A remote reader (declared `remote = true`) has one cell per case, `<reader>--<case>`:

    <fixture>--read            kind "read" on a well-behaved nginx: the whole read every local cell makes
    <fixture>--one-chunk       kind "one-chunk": open one array, read one chunk of it (what a viewer does)
    <fixture>--<fault>         kind "read" on a server with that fault

The archives are few on purpose (remote cells cost requests): the baselines of two datasets, the deflated
and the Zarr 2 forms, and the 70,014-entry archive for the one-chunk read (its whole read is the
benchmark's). Faults are tried on a stored (Zarr 2) and a deflated (Zarr 3) archive. Nothing else lists remote cases.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = {
    "read": "open the store, list it, read every array in full and one slice of each (as every local cell does)",
    "one-chunk": "open one array (no listing) and read one chunk of it: the array with the most elements, its first chunk",
}

# where each fault is made: nginx's own configuration where it can, else the fault server in front of nginx
FAULTS = {
    "range-ignored": ("nginx", "Range ignored: every GET answered 200 with the whole body (nginx max_ranges 0)"),
    "head-refused": ("nginx", "HEAD refused: 405 Method Not Allowed"),
    "suffix-416": ("nginx", "a suffix range (bytes=-N) answered 416 Range Not Satisfiable"),
    "head-no-length": ("fault-server", "HEAD answered without Content-Length"),
    "head-length-differs": ("fault-server", "HEAD says a Content-Length 1,024 bytes larger than the body"),
    "transient-503": ("fault-server", "the first request answered 503 Service Unavailable, the next ones served"),
    "closed-mid-body": ("fault-server", "the first GET's connection reset (RST) after half its body, the next ones served"),
    "short-body": ("fault-server", "the first GET's body cut short of its Content-Length (orderly close), the next ones served"),
}

READ_FIXTURES = ("coads-v3-stored", "coads-v3-deflate", "coads-v2-stored", "mnist-v3-stored")
ONE_CHUNK_FIXTURES = (*READ_FIXTURES, "mnist-v3-stored-manyentries")
FAULT_FIXTURES = ("coads-v2-stored", "coads-v3-deflate")   # stored and deflated; Zarr 2 and 3
SEPARATOR = "--"


@dataclass(frozen=True)
class Case:
    fixture: str
    kind: str = "read"
    fault: str | None = None     # None: a well-behaved nginx

    @property
    def id(self) -> str:
        return f"{self.fixture}{SEPARATOR}{self.fault or self.kind}"  # never a fixture id: a case is a row of its own

    @property
    def server(self) -> str:
        """nginx, or the fault's name."""
        return self.fault or "nginx"

    @property
    def made_by(self) -> str:
        """Which server makes the fault: nginx (its config) or the fault server (in front of nginx)."""
        return FAULTS[self.fault][0] if self.fault else "nginx"

    def describe(self) -> str:
        return KINDS[self.kind] + ("; server: " + FAULTS[self.fault][1] if self.fault else "; server: nginx, well-behaved")


def cases() -> list[Case]:
    """Every remote case, in a stable order."""
    out = [Case(f) for f in READ_FIXTURES]
    out += [Case(f, "one-chunk") for f in ONE_CHUNK_FIXTURES]
    out += [Case(f, "read", fault) for fault in FAULTS for f in FAULT_FIXTURES]
    return out


def case_ids() -> list[str]:
    return [c.id for c in cases()]


def cases_for(fixture_ids) -> list[Case]:
    """The cases whose archive is among the fixtures selected (--fixture-ids)."""
    wanted = set(fixture_ids)
    return [c for c in cases() if c.fixture in wanted]


def parse_case(text: str) -> Case | None:
    """The case a cell's fixture part names, or None when it names no remote case."""
    return next((c for c in cases() if c.id == text), None)


def remote_tags(case: Case) -> list[str]:
    """The tags a remote cell adds to its archive's (the HTML table's rows and filters use them)."""
    return ["remote", f"remote-kind:{case.kind}", f"server:{case.server}"]


def remote_repro(reader: str, case: Case) -> str:
    """The command that runs a remote cell again (a repro bundle has no web server: the matrix runs it)."""
    return f"./run matrix --readers {reader} --fixture-ids {case.fixture} --rerun -n 0"
