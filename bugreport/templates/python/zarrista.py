# packages: zarrista numpy
from pathlib import Path

from zarrista import Array, Group
from zarrista.store import FilesystemStore, ZipStore


def read(path):
    store = ZipStore(FilesystemStore(str(Path(path).parent)), Path(path).name)
    listed = [node.path.strip("/") for node in Group.open(store).traverse() if isinstance(node, Array)]
    array = Array.open(store, path="/" + ARRAY)
    return listed, array[array.subset_all].to_numpy(), dict(array.attrs), array.dimension_names or array.attrs.get("_ARRAY_DIMENSIONS")
