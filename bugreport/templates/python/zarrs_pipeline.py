# packages: zarrs zarr numcodecs numpy
import zarr
zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"})


def read(path):
    root = zarr.open_group(zarr.storage.ZipStore(path, mode="r"), mode="r")
    listed = [name for name, node in root.members(max_depth=None) if isinstance(node, zarr.Array)]
    array = root[ARRAY]
    pipeline = type(array._async_array.codec_pipeline).__name__  # which pipeline decodes this array's chunks
    if pipeline != "ZarrsCodecPipeline":
        raise RuntimeError(f"zarrs does not decode {ARRAY}: zarr-python gave it its own {pipeline}")
    return listed, array[...], dict(array.attrs), getattr(array.metadata, "dimension_names", None) or array.attrs.get("_ARRAY_DIMENSIONS")
