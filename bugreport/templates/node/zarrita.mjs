// packages: zarrita @zarrita/storage
import * as zarr from "zarrita";
import ZipFileStore from "@zarrita/storage/zip";

async function read(bytes) {  // zarrita lists a hierarchy only from consolidated metadata: `listed` is null without it
  const store = await zarr.withMaybeConsolidatedMetadata(ZipFileStore.fromBlob(new Blob([bytes])));
  const root = await zarr.open(store, { kind: "group" });
  const listed = store.contents ? store.contents().filter((n) => n.kind === "array").map((n) => n.path.slice(1)) : null;
  const array = await zarr.open(root.resolve(ARRAY), { kind: "array" });
  const chunk = array.shape.length ? await zarr.get(array) : { data: [await zarr.get(array)], shape: [], stride: [] };
  return { listed, chunk, dtype: array.dtype, attrs: array.attrs, dims: array.dimensionNames ?? array.attrs._ARRAY_DIMENSIONS ?? null };
}
