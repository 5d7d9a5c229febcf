"""zarr-python 3's ZipStore over an obstore file object on a web server: obstore.open_reader on its HTTPStore
(zarr-python 3.3 and later adapt obstore's ReadableFile, PR #4187)."""
# reader: id = "zarr-zipstore-obstore-http"
# reader: env = "http-python"
# reader: library = 'zarr-python 3 with obstore (HTTP)'
# reader: call = 'zarr.open_group(ZipStore(obstore.open_reader(HTTPStore.from_url(folder, client_options={"allow_http": True}), name), mode="r"))'
# reader: group = "zarr-python"
# reader: rank = 4
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: remote = true

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.remote_common import OBSTORE_CLIENT, folder_and_name, read_zarr_group

FALLBACKS: list = []


def versions() -> dict:
    import obstore  # noqa: F401  (importable: the worker is ready)
    import zarr  # noqa: F401

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"zarr": installed_version("zarr"), "obstore": installed_version("obstore"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import obstore
    import zarr
    from obstore.store import HTTPStore
    from zarr.storage import ZipStore

    folder, name = folder_and_name(archive)
    handle = obstore.open_reader(HTTPStore.from_url(folder, client_options=OBSTORE_CLIENT), name)
    store = ZipStore(handle, mode="r")
    try:
        return read_zarr_group(lambda: zarr.open_group(store, mode="r"), lambda path: zarr.open_array(store, path=path, mode="r"),
                               manifest)
    finally:
        if store._is_open:  # a store nothing was read from never opened
            store.close()
        handle.close()
