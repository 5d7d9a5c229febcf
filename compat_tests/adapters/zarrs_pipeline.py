"""zarr-python 3 with the zarrs codec pipeline (package `zarrs`), over zarr-python's ZipStore, as its README shows:

    zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"})
    zarr.open_group(zarr.storage.ZipStore(path, mode="r"))

The cell must show which pipeline decoded the chunks. ZarrsCodecPipeline keeps a Rust implementation (`impl`,
built from the array's metadata and the store) and zarr-python's own BatchedCodecPipeline (`python_impl`), to
which it falls back, with at most a UserWarning, when the Rust side does not support the array or the store.
So each read is counted: ZarrsCodecPipeline.read calls that went to the Rust `impl` and calls that went to the
Python fallback, per array, with the pipeline class the array actually holds and any warning zarrs gave. An
array whose chunks the Rust pipeline did not decode is an error of this reader (its values were read by
zarr-python, not by zarrs), whatever the values.
"""
# reader: id = "zarrs-pipeline"
# reader: env = "zarrs-pipeline"
# reader: library = "zarrs codec pipeline for zarr-python"
# reader: call = 'zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"}); zarr.open_group(zarr.storage.ZipStore(path, mode="r"))'
# reader: group = "zarrs"
# reader: rank = 2
# reader: package = "zarrs"
# reader: version_key = "zarrs"
# reader: bugreport = "python:zarrs_pipeline"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import box, installed_version, option, read_each, store_path

FALLBACKS = [option("open_group(store, path=<top-level folder>)", "https://zarr.readthedocs.io/en/latest/api/zarr/functions/open_group/",
                    "location", "store_prefix", path_from_prefix=True)]
PIPELINE = "zarrs.ZarrsCodecPipeline"

_counts: dict[str, int] = {}


def versions() -> dict:
    import zarr  # noqa: F401
    import zarrs  # noqa: F401

    return {"zarrs": installed_version("zarrs"), "zarr": installed_version("zarr"), "numcodecs": installed_version("numcodecs"),
            "numpy": installed_version("numpy")}


def _instrument() -> None:
    """Count, per ZarrsCodecPipeline.read call, whether zarr-python's BatchedCodecPipeline did it (once per worker).

    ZarrsCodecPipeline.read either hands the batch to its Rust `impl` or awaits `self.python_impl.read(...)`, a
    BatchedCodecPipeline: that class's read is wrapped to raise a flag that only a surrounding
    ZarrsCodecPipeline.read call sees (a context variable), so a call that returns without the flag went to Rust."""
    import contextvars

    from zarr.core.codec_pipeline import BatchedCodecPipeline
    from zarrs import pipeline

    if getattr(pipeline.ZarrsCodecPipeline.read, "_zipcompat_counting", False):
        return
    inside: contextvars.ContextVar = contextvars.ContextVar("zipcompat_zarrs_read", default=None)
    zarrs_read, python_read = pipeline.ZarrsCodecPipeline.read, BatchedCodecPipeline.read

    async def counted_zarrs_read(self, batch_info, out, drop_axes=()):
        batch = list(batch_info)
        fell_back = [False]
        token = inside.set(fell_back)
        try:
            result = await zarrs_read(self, batch, out, drop_axes)
        finally:
            inside.reset(token)
        route = "python" if fell_back[0] else "rust"
        _counts[route] = _counts.get(route, 0) + 1
        _counts[route + "_chunks"] = _counts.get(route + "_chunks", 0) + len(batch)
        return result

    async def flagged_python_read(self, *args, **kwargs):
        flag = inside.get()
        if flag is not None:
            flag[0] = True
        else:  # an array that holds zarr-python's own pipeline: zarrs is not involved at all
            _counts["direct"] = _counts.get("direct", 0) + 1
        return await python_read(self, *args, **kwargs)

    counted_zarrs_read._zipcompat_counting = True
    pipeline.ZarrsCodecPipeline.read = counted_zarrs_read
    BatchedCodecPipeline.read = flagged_python_read


def _why_not_zarrs(array, store) -> str:
    """Diagnosis (not the user's call): what ZarrsCodecPipeline says when zarr-python asks it for this array's pipeline.

    zarr-python's create_codec_pipeline asks get_pipeline_class().from_array_metadata_and_store(...) and, on
    NotImplementedError, builds the pipeline from_codecs instead, which ZarrsCodecPipeline answers with a
    BatchedCodecPipeline: the array then reads through zarr-python's own pipeline, without a warning."""
    from zarrs.pipeline import ZarrsCodecPipeline

    try:
        ZarrsCodecPipeline.from_array_metadata_and_store(array.metadata, store)
    except Exception as exc:  # noqa: BLE001
        return f"ZarrsCodecPipeline.from_array_metadata_and_store raised {type(exc).__name__}: {exc}; zarr-python caught it and built its own pipeline"
    return "ZarrsCodecPipeline.from_array_metadata_and_store succeeds when called again"


def read(archive: str, manifest: dict, options: dict) -> dict:
    import warnings

    import zarr
    from zarr.storage import ZipStore

    zarr.config.set({"codec_pipeline.path": PIPELINE})
    _instrument()
    notes: list[str] = []
    store = ZipStore(archive, mode="r")
    try:
        root = zarr.open_group(store, mode="r", path=store_path(manifest, options) or None)
        listed = sorted(name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array))

        def one(expected):
            _counts.clear()
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                array = root[expected["path"]]
                pipeline_used = array._async_array.codec_pipeline
                if type(pipeline_used).__name__ != "ZarrsCodecPipeline":
                    # zarrs cannot decode a chunk of this array: it is not read at all (reading it would only time
                    # zarr-python's own pipeline, and on 10^7 chunks run out of time)
                    notes.append(f"{expected['path']}: pipeline {type(pipeline_used).__module__}.{type(pipeline_used).__name__} "
                                 "(not zarrs'), so the array was not read")
                    raise RuntimeError(f"zarrs did not decode this array: it holds zarr-python's {type(pipeline_used).__name__}, "
                                       f"not zarrs' pipeline ({_why_not_zarrs(array, store)})")
                values = array[...]
                part = array[box(expected)]
            rust = getattr(pipeline_used, "impl", None) is not None
            zarrs_said = sorted({str(w.message) for w in said if "zarrs" in str(w.message).lower()})
            notes.append(f"{expected['path']}: pipeline {type(pipeline_used).__module__}.{type(pipeline_used).__name__}, "
                         f"Rust impl {'present' if rust else 'None'}; ZarrsCodecPipeline.read calls decoded by Rust: {_counts.get('rust', 0)} "
                         f"({_counts.get('rust_chunks', 0)} chunks), by its zarr-python fallback: {_counts.get('python', 0)} "
                         f"({_counts.get('python_chunks', 0)} chunks); reads by zarr-python's BatchedCodecPipeline outside zarrs: "
                         f"{_counts.get('direct', 0)}" + (f"; zarrs warned: {'; '.join(zarrs_said)[:300]}" if zarrs_said else ""))
            if _counts.get("python", 0) or _counts.get("direct", 0):  # values read (even partly) by zarr-python's own pipeline
                raise RuntimeError(f"zarrs did not decode all of this array: {_counts.get('python', 0) + _counts.get('direct', 0)} of "
                                   f"{_counts.get('python', 0) + _counts.get('direct', 0) + _counts.get('rust', 0)} reads went to "
                                   "zarr-python's BatchedCodecPipeline (" + ("zarrs warned: " + "; ".join(zarrs_said) if zarrs_said else "no warning") + ")")
            dims = getattr(array.metadata, "dimension_names", None)
            attrs = dict(array.attrs)
            if dims is None:
                dims = attrs.get("_ARRAY_DIMENSIONS")
            return {"values": values, "slice": part, "attrs": attrs, "dims": list(dims) if dims else None}

        arrays, errors = read_each(manifest, one)
        return {"listed": listed, "arrays": arrays, "errors": errors, "notes": notes}
    finally:
        if store._is_open:
            store.close()
