"""python -m doctor bench: lint's time and memory, as a user runs it (one process per run), against its goals.

    lint on the 70,014-entry fixture (the many_entries axis) and on the largest fixture: under 1 s (wall, median)
    lint --local-headers --crc on every hostile archive: under 200 MiB (peak RSS of the process)

Each figure is the whole process (`python -m doctor lint ...`) measured from
outside (wall clock, and the kernel's peak RSS of the finished child), over
several runs after one warm-up; the median is quoted with min and max.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from zipstore_compat.core.processes import ROOT, child_environ

SECONDS_GOAL = 1.0
MEMORY_GOAL_MIB = 200


# A small launcher (python -S) starts lint and reports its wall time, peak RSS and exit status: a child's peak RSS counts
# the memory of the process that started it until it execs, and this process (with the fixtures' imports) is large.
LAUNCHER = """
import os, sys, time
devnull = os.open(os.devnull, os.O_WRONLY)
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def measure(args: list[str], runs: int) -> dict:
    """Median, min and max wall seconds and peak RSS (MiB) of `python -m doctor lint ARGS`, after a warm-up."""
    walls, peaks, code = [], [], None
    command = [sys.executable, "-S", "-c", LAUNCHER, sys.executable, "-m", "zipstore_compat.doctor", "lint", *args]
    for n in range(runs + 1):
        answer = subprocess.run(command, cwd=str(ROOT), env=child_environ(), capture_output=True, text=True, check=True)
        wall, rss_kib, code = answer.stdout.split()
        if n:  # the first run warms the page cache and the bytecode
            walls.append(float(wall))
            peaks.append(int(rss_kib) / 1024)
    return {"wall": (statistics.median(walls), min(walls), max(walls)), "rss": (statistics.median(peaks), min(peaks), max(peaks)),
            "exit": int(code)}


def _line(what: str, figures: dict, goal: str, ok: bool) -> str:
    wall, rss = figures["wall"], figures["rss"]
    return (f"{what:48} {wall[0]:6.3f} s ({wall[1]:.3f}-{wall[2]:.3f})  {rss[0]:6.1f} MiB ({rss[1]:.1f}-{rss[2]:.1f})  "
            f"exit {figures['exit']}  {goal}: {'met' if ok else 'NOT MET'}")


def main(fixtures_dir: Path, results: Path | None, runs: int) -> int:
    from zipstore_compat.fixtures.hostile import place_hostile
    from zipstore_compat.fixtures.registry import default_fixtures

    many = next(s.id for s in default_fixtures().values() if s.variant.many_entries)
    archives = sorted((p for p in Path(fixtures_dir).glob("*") if p.suffix in (".zip", ".ozx") and not p.name.startswith("hostile-")),
                      key=lambda p: p.stat().st_size)
    many_path = next((p for p in archives if p.name.startswith(many + ".")), None)
    if many_path is None or not archives:
        print(f"bench: no built fixtures in {fixtures_dir} (./run fixtures build)", file=sys.stderr)
        return 2
    evidence = ["--results", str(results)] if results else ["--results", str(Path(tempfile.gettempdir()) / "no-results.json")]
    print(f"python -m doctor lint, {runs} runs each after a warm-up; evidence: {results or 'none'}; {os.cpu_count()} cores")
    met = True
    for label, path in ((f"{many} ({many_path.stat().st_size / 2**20:.1f} MB)", many_path),
                        (f"{archives[-1].stem} (the largest, {archives[-1].stat().st_size / 2**20:.1f} MB)", archives[-1])):
        figures = measure([str(path), *evidence], runs)
        ok = figures["wall"][0] < SECONDS_GOAL
        met &= ok
        print(_line(label, figures, f"< {SECONDS_GOAL:g} s", ok))
    with tempfile.TemporaryDirectory(prefix="zipcompat-doctor-bench-") as scratch:
        for fixture_id, path in place_hostile(Path(scratch)).items():
            figures = measure([str(path), "--local-headers", "--crc", *evidence], max(1, runs // 2))
            ok = figures["rss"][2] < MEMORY_GOAL_MIB
            met &= ok
            print(_line(f"{fixture_id} --local-headers --crc", figures, f"< {MEMORY_GOAL_MIB} MiB", ok))
    return 0 if met else 1
