// zarrita.js over HTTP, in Node.js: @zarrita/storage's ZipFileStore.fromUrl(url) (unzipit's HTTPRangeReader: the
// archive's tail and each member read with Range requests), the root group opened with zarr.open and arrays read with
// zarr.get, as for the local reader; the one-chunk read opens the one array it reads (no listing).
// reader: id = "zarrita-js-http"
// reader: env = "zarrita-js"
// reader: library = "zarrita.js (HTTP)"
// reader: call = 'zarr.open(ZipFileStore.fromUrl(url), { kind: "group" })'
// reader: group = "zarrita"
// reader: rank = 2
// reader: package = "zarrita"
// reader: version_key = "zarrita"
// reader: remote = true
// reader: worker = ["node", "--disable-wasm-trap-handler", "--wasm-max-mem-pages=8192", "{file}"]
import { installed, load, serve } from "./node_protocol.mjs";
import { jsonable, scalarOf, valuesOf } from "./zarrita_values.mjs";

let zarr, ZipFileStore;

async function modules() {
  if (!zarr) {
    zarr = await load("zarrita");
    ({ default: ZipFileStore } = await load("@zarrita/storage", "./zip"));
  }
}

async function versions() {
  await modules(); // importable: the worker is ready
  return { zarrita: installed("zarrita"), "@zarrita/storage": installed("@zarrita/storage"), unzipit: installed("unzipit") };
}

/** The values' box and the slice's box: the whole array and the manifest's slice, or the one chunk's region and a box in it. */
function boxes(expected) {
  if (!expected.region) return [null, expected.slice.map(([a, b]) => zarr.slice(a, b))];
  const start = expected.region.map(([a]) => a);
  return [expected.region.map(([a, b]) => zarr.slice(a, b)), expected.slice.map(([a, b], d) => zarr.slice(start[d] + a, start[d] + b))];
}

async function read(archive, manifest, options, out) {
  await modules();
  const store = ZipFileStore.fromUrl(archive);
  const oneChunk = manifest.read?.kind === "one-chunk";
  const notes = [];
  let listed = null, root;
  if (oneChunk) {
    root = zarr.root(store);
  } else {
    const listable = await zarr.withMaybeConsolidatedMetadata(store);
    root = await zarr.open(zarr.root(listable), { kind: "group" });
    if (typeof listable.contents === "function") {
      listed = listable.contents().filter((n) => n.kind === "array").map((n) => n.path.slice(1)).sort();
      notes.push("listed from consolidated metadata (withMaybeConsolidatedMetadata(...).contents())");
    } else {
      notes.push("zarrita.js lists a hierarchy only from consolidated metadata; this archive has none, so the listing is not checked");
    }
  }
  const arrays = {}, errors = {};
  for (const expected of manifest.arrays) {
    try {
      const arr = await zarr.open(root.resolve(expected.path), { kind: "array" });
      let values, slice = null;
      if (arr.shape.length === 0) {
        values = scalarOf(out, arr.dtype, await zarr.get(arr));
      } else {
        const [whole, part] = boxes(expected);
        values = valuesOf(out, arr.dtype, whole ? await zarr.get(arr, whole) : await zarr.get(arr));
        slice = valuesOf(out, arr.dtype, await zarr.get(arr, part));
      }
      arrays[expected.path] = { values, slice, attrs: jsonable(arr.attrs), dims: arr.dimensionNames ?? null };
    } catch (error) {
      errors[expected.path] = `${error?.name ?? "Error"}: ${error?.message ?? error}`.slice(0, 500);
    }
  }
  return { listed, arrays, errors, notes };
}

serve({ versions, fallbacks: [], read });
