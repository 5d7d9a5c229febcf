"""Test-only reader: fails with its declared race at the library's default setting and reads with the setting that
takes the race away (compat_tests/cells.py ask_past_races), as zarr-python over fsspec's ZipFileSystem does."""
# reader: id = "selftest-race"
# reader: env = "zarr3"
# reader: library = 'zarr'
# reader: call = 'zarr.open_group(ZipStore(path))'
# reader: test_only = true
# reader: races = [{signature = "Bad CRC-32 (selftest)", link = "https://github.com/python/cpython/issues/128258"}]
# reader: race_free = {label = "zarr.config async.concurrency=1", doc = "https://zarr.readthedocs.io/en/stable/user-guide/config/", options = {zarr_config = {"async.concurrency" = 1}}}

from zipstore_compat.compat_tests.adapters import zarr3
from zipstore_compat.compat_tests.adapters.common import library_settings

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    import zarr

    with library_settings(options):
        if zarr.config.get("async.concurrency") != 1:
            raise OSError("Bad CRC-32 (selftest) for file 'zarr.json'")   # the race, at the library's default concurrency
        return zarr3.read(archive, manifest, {})
