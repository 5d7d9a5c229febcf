"""Reader adapters: each runs inside its reader's environment, in a worker process.

An adapter module defines
    versions() -> dict                     library versions and build flags
    read(archive, manifest, options) -> dict
        {"listed": [array paths] or None,
         "arrays": {path: {"values": ndarray, "slice": ndarray,
                           "attrs": dict or None (no metadata API: attribute
                                    and dimension checks are skipped),
                           "dims": list | None}},
         "errors": {path: "message"}}       per-array failures
         a per-array {"missing": why} when the library returned, without
         raising, no such array (common.Missing): silent-missing, not error
    FALLBACKS: list of option(label, doc, family, when, **options)
                                            documented non-default options a user
                                            could pass (compat_tests/attempts.py),
                                            tried only when the default fails
and holds no expectation: what a cell should do lives in matrix.yaml.
"""
