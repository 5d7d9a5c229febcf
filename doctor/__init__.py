"""The archive doctor: before you publish a zipped Zarr store, which readers will it break, and a repacked copy they read.

    python -m doctor lint ARCHIVE [--json | --format ozx] [--results PATH]   (./run lint ARCHIVE)
    python -m doctor repack ARCHIVE OUT [--for READERS]                      (./run repack ARCHIVE OUT)

A product of its own: it reads archives with core.ziprecords, takes its
evidence from the suite's results file (reports/results.json), and runs
readers only through the suite's command line. The harness never imports it.
docs/guide/doctor.md says how to use it.
"""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

