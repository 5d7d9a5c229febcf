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
    FALLBACKS: list of (label, options)     non-default options a user could
                                            pass, tried only when the default fails
and holds no expectation: what a cell should do lives in matrix.yaml.
"""
