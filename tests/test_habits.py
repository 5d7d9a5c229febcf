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
