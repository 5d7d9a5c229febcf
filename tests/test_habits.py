"""The concurrency habit's read counts: the screen, the repeats on a probe that failed, and the hunt for a rare wrong value."""

from __future__ import annotations

from types import SimpleNamespace

from zipstore_compat.compat_tests import habits


class _Pool:
    """A worker whose replies are scripted: 'ok' (a right reading), 'wrong' (values that differ), 'fail' (an error)."""

    def __init__(self, script):
        self.script, self.asked = iter(script), 0

    def for_reader(self, reader):
        return self

    def request(self, request, timeout):
        self.asked += 1
        kind = next(self.script, "ok")
        return SimpleNamespace(status="error" if kind == "fail" else "ok", result={"kind": kind}, error="Bad CRC-32" if kind == "fail" else None)


def _verdicts(monkeypatch):
    monkeypatch.setattr(habits, "judge", lambda manifest, result, cf: SimpleNamespace(
        outcome="wrong-data" if result["kind"] == "wrong" else "pass", message="values differ"))


def _tally(probe="p"):
    return habits._Tally(probe, None, {}, {}, "pass")


READER = SimpleNamespace(decodes_cf=False)


def test_a_probe_that_never_fails_is_read_screen_times(monkeypatch):
    _verdicts(monkeypatch)
    tally = _tally()
    habits._read(READER, _Pool([]), tally, 1.0, habits.time.perf_counter(),
                 until=lambda t: t.reads >= habits.REPEATS or (t.reads >= habits.SCREEN and not (t.failed or t.wrong)))
    assert (tally.reads, tally.failed, tally.wrong) == (habits.SCREEN, 0, 0)


def test_a_probe_that_fails_once_is_read_repeats_times(monkeypatch):
    _verdicts(monkeypatch)
    tally = _tally()
    habits._read(READER, _Pool(["fail"]), tally, 1.0, habits.time.perf_counter(),
                 until=lambda t: t.reads >= habits.REPEATS or (t.reads >= habits.SCREEN and not (t.failed or t.wrong)))
    assert (tally.reads, tally.failed, tally.wrong) == (habits.REPEATS, 1, 0)


def test_the_hunt_reads_the_probe_that_failed_most_until_a_wrong_value_shows(monkeypatch):
    _verdicts(monkeypatch)
    calm, racy = _tally("calm"), _tally("racy")
    calm.reads, racy.reads, racy.failed = 20, 120, 40
    pool = _Pool(["ok"] * 300 + ["wrong"])
    note = habits._hunt(READER, pool, [calm, racy], 1.0, habits.time.perf_counter())
    assert (racy.reads, racy.wrong, calm.reads, pool.asked) == (421, 1, 20, 301)
    assert "racy: 301 more reads after 120" in note and "one showed" in note


def test_the_hunt_stops_at_its_bound_and_says_none_showed(monkeypatch):
    _verdicts(monkeypatch)
    racy = _tally("racy")
    racy.reads, racy.failed = 120, 40
    note = habits._hunt(READER, _Pool([]), [racy], 1.0, habits.time.perf_counter())
    assert racy.reads == habits.HUNT and racy.wrong == 0 and "none showed" in note


def test_no_hunt_when_a_wrong_value_was_seen_or_nothing_failed(monkeypatch):
    _verdicts(monkeypatch)
    wrong, clean = _tally("wrong"), _tally("clean")
    wrong.reads, wrong.wrong = 120, 1
    pool = _Pool([])
    assert habits._hunt(READER, pool, [wrong], 1.0, habits.time.perf_counter()) is None
    assert habits._hunt(READER, pool, [clean], 1.0, habits.time.perf_counter()) is None
    assert pool.asked == 0


class _CalmPool(_Pool):
    """Scripted at the library's default setting; a right reading with the setting that takes the race away."""

    calm = 0

    def request(self, request, timeout):
        if request["options"]:
            self.calm += 1
            return SimpleNamespace(status="ok", result={"kind": "ok"}, error=None)
        return super().request(request, timeout)


def _one_probe(monkeypatch, tmp_path, first_outcome):
    _verdicts(monkeypatch)
    monkeypatch.setattr(habits, "PROBES", ("p",))
    (tmp_path / "p.zip").write_bytes(b"PK")
    (tmp_path / "p.manifest.json").write_text("{}")
    monkeypatch.setattr(habits, "run_cell", lambda *args, **kwargs: SimpleNamespace(outcome=first_outcome, message="values differ", option=None))


def test_a_first_read_that_is_wrong_counts_when_the_reader_reads_the_probe_without_its_race(monkeypatch, tmp_path):
    """The race's wrong value can come on the very first read of a probe (fsspec: on about half the reads of the
    uncompressed sharded one): it is one wrong read of that probe, not a reason to skip it, when the reader reads the
    probe right with its documented race-free setting."""
    _one_probe(monkeypatch, tmp_path, "wrong-data")
    reader = SimpleNamespace(id="r", adapter="a", decodes_cf=False, race_free=("calm", "https://x", {"zarr_config": {"async.concurrency": 1}}))
    pool = _CalmPool([])
    cell = habits.run_habit(reader, habits.CONCURRENCY, tmp_path, pool, lambda r: {"fallbacks": []}, timeout=1.0)
    assert pool.calm == 1 and cell.outcome == "wrong-data", cell.message
    assert cell.message.startswith(f"WRONG DATA 1 of {habits.REPEATS} reads"), cell.message


def test_a_first_read_that_is_wrong_without_a_race_free_setting_skips_the_probe(monkeypatch, tmp_path):
    _one_probe(monkeypatch, tmp_path, "wrong-data")
    reader = SimpleNamespace(id="r", adapter="a", decodes_cf=False, race_free=())
    pool = _CalmPool([])
    cell = habits.run_habit(reader, habits.CONCURRENCY, tmp_path, pool, lambda r: {"fallbacks": []}, timeout=1.0)
    assert pool.calm == 0 and pool.asked == 0 and cell.outcome == "unsupported"
    assert "p: the reader does not read it (wrong-data)" in cell.message
