"""The benchmarks: speed and memory goals are checked by commands that measure, never by timed tests.

    python -m bench [--quick]          the store benchmark (also: python -m compat_tests bench)
    python -m bench.readers [...]      every reader's full read against the floor (also: python -m compat_tests bench-readers)
    python -m bench.remote [...]       the remote readers' requests and bytes against the minimum (also: python -m compat_tests bench-remote)

A product of its own on the harness's public seams (docs/reference/products.md); the harness never imports it.

stores        the store benchmark: zarr-python 3 stores written and read back, against the physical limits
store_worker  its measuring side, run in the xarray environment
readers       the cross-reader benchmark: each reader's verified full read as a ratio to the floor
floor         the floor worker: raw read + inflate + decode + copy of an archive, on one core
remote        the remote section: each remote reader's requests and bytes against the minimum, from a results file
page          the PNG of a benchmark's page
"""

if not __name__.startswith("zipstore_compat."):   # imported by its short name from a checkout: the one module is zipstore_compat's
    import zipstore_compat

    zipstore_compat.one_name(__name__)

