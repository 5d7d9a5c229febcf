"""What a remote cell cost, from nginx's access log (and the fault server's record), and what the reader did.

- requests, bytes_sent (headers and body, as nginx counts them), body_bytes: what reached nginx;
- ratio: body bytes / the minimum the read needs (compat_tests/remote/minimum.py);
- behaviour, in words, from the requests in order:
    "retried"        it asked again for what a faulty answer had not given (the same method and Range
                     after a 5xx, a 4xx, or a body the fault server cut);
    "full download"  a GET answered 200 with the whole archive (it asked without Range, or the server
                     ignored the Range), counted in whole-archive bodies;
    "failed"         the cell did not read (its outcome is not pass, nor partial with an option);
    "read"           none of these, and it read.
"""

from __future__ import annotations

from collections import Counter

FAILED_STATUS = 400


def summarise_requests(lines: list[dict]) -> dict:
    return {
        "requests": len(lines),
        "bytes_sent": sum(line["bytes_sent"] for line in lines),
        "body_bytes": sum(line["body_bytes_sent"] for line in lines),
        "methods": dict(sorted(Counter(line["method"] for line in lines).items())),
        "statuses": dict(sorted(Counter(str(line["status"]) for line in lines).items())),
        "request_seconds": round(sum(line["request_time"] for line in lines), 3),
    }


def full_bodies(lines: list[dict], archive_bytes: int) -> int:
    """GETs answered 200 with (at least) the whole archive's length asked for: full downloads."""
    return sum(1 for line in lines if line["method"] == "GET" and line["status"] == 200 and line["body_bytes_sent"] >= archive_bytes * 0.99)


def retried(sequence: list[dict]) -> bool:
    """Did the reader ask again for what a faulty answer had not given? `sequence`: dicts with method, range,
    status and `cut` (the fault server cut the body), in the order the server answered them."""
    failed = set()
    for item in sequence:
        key = (item["method"], item.get("range", ""))
        if key in failed:
            return True
        if item["status"] >= FAILED_STATUS or item.get("cut"):
            failed.add(key)
    return False


def fault_sequence(actions: list[dict]) -> list[dict]:
    """The fault server's record as a sequence for `retried`."""
    return [{"method": a["method"], "range": a.get("range", ""), "status": a["status"], "cut": a["action"].startswith("sent ")}
            for a in actions]


def behaviour(outcome: str, option: str | None, lines: list[dict], actions: list[dict], archive_bytes: int) -> list[str]:
    sequence = fault_sequence(actions) if actions else [{"method": l["method"], "range": l["range"], "status": l["status"]} for l in lines]
    words = []
    if retried(sequence):
        words.append("retried")
    if full_bodies(lines, archive_bytes):
        words.append("full download")
    reads = outcome == "pass" or (outcome == "partial" and option)
    words.append("read" if reads else "failed")
    return words


def measure(lines: list[dict], actions: list[dict], minimum: dict, outcome: str, option: str | None) -> dict:
    """The cost fields of one attempt."""
    out = summarise_requests(lines)
    out["full_downloads"] = full_bodies(lines, minimum["archive_bytes"])
    out["ratio"] = round(out["body_bytes"] / minimum["bytes"], 3) if minimum["bytes"] else None
    if actions:
        out["fault_server"] = {"requests": len(actions), "actions": [f"{a['method']} {a.get('range') or '(no Range)'}: {a['action']}"
                                                                     for a in actions if a["action"] != "passed"][:8]}
    out["behaviour"] = behaviour(outcome, option, lines, actions, minimum["archive_bytes"])
    return out
