// zarrita.js with @zarrita/storage's ZipFileStore, in Node.js, as its documentation shows: the archive as a Blob,
// ZipFileStore.fromBlob(blob), the root group opened with zarr.open, arrays opened from it (node.resolve) and read
// in full and as one slice with zarr.get. Listing: zarrita lists a hierarchy only from consolidated metadata
// (withMaybeConsolidatedMetadata(...).contents()); without it, it has no listing and `listed` stays unchecked.
// reader: id = "zarrita-js"
// reader: env = "zarrita-js"
// reader: library = "zarrita.js"
// reader: call = 'zarr.open(ZipFileStore.fromBlob(new Blob([await fs.readFile(path)])), { kind: "group" })'
// reader: group = "zarrita"
// reader: rank = 1
// reader: package = "zarrita"
// reader: version_key = "zarrita"
// reader: worker = ["node", "--disable-wasm-trap-handler", "--wasm-max-mem-pages=8192", "{file}"]
// reader: bugreport = "node:zarrita"
// (the worker runs under an address-space cap, RLIMIT_AS: without a trap handler V8 still reserves each wasm memory's
// maximum, about 2 GiB for each of numcodecs' wasm codecs (blosc, zstd, lz4, ...), so a worker that met three of them
// died with std::bad_alloc at a 7.8 GiB cap; 8192 pages = 512 MiB per wasm memory, far above any chunk here)
import fs from "node:fs/promises";
import { installed, load, serve } from "./node_protocol.mjs";
import { jsonable, scalarOf, valuesOf } from "./zarrita_values.mjs";

const fallbacks = [
  { label: "zarr.open(zarr.root(store).resolve(<top-level folder>))", options: { path_from_prefix: true },
    doc: "https://manzt.github.io/zarrita.js/cookbook.html#open-a-group-or-an-array-from-another-node", family: "location", when: "store_prefix" },
  { label: "ZipFileStore.fromBlob(blob, { transformEntries: <strip the top-level folder> })", options: { strip_prefix: true },
    doc: "https://github.com/manzt/zarrita.js/pull/294", family: "location", when: "store_prefix" },
];

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

function stripFolder(folder) {
  return (entries) => Object.fromEntries(Object.entries(entries)
    .filter(([name]) => name.startsWith(`${folder}/`))
    .map(([name, entry]) => [name.slice(folder.length + 1), entry]));
}

/** zarr.open tries one format, and on InvalidMetadataError the other, so a v3 array it cannot parse is reported
 * as "Not found: v2 array" (and the reverse). Diagnosis only (not the user's call): what open.v3 and open.v2 say. */
async function hiddenCause(root, path, error) {
  if (error?.name !== "NotFoundError") return "";
  const said = [];
  for (const format of ["v3", "v2"]) {
    try {
      await zarr.open[format](root.resolve(path), { kind: "array" });
    } catch (direct) {
      if (direct?.name !== "NotFoundError") said.push(`zarr.open.${format} raises ${direct?.name}: ${direct?.message}`);
    }
  }
  return said.length ? `zarr.open reported ${error.message}; ${said.join("; ")}` : "";
}

async function read(archive, manifest, options, out) {
  await modules();
  const folder = (manifest.store_prefix ?? "").replace(/\/+$/, "");
  const blob = new Blob([await fs.readFile(archive)]);
  const store = options.strip_prefix && folder ? ZipFileStore.fromBlob(blob, { transformEntries: stripFolder(folder) })
    : ZipFileStore.fromBlob(blob);
  const notes = [];
  const listable = await zarr.withMaybeConsolidatedMetadata(store);
  const location = options.path_from_prefix && folder ? zarr.root(listable).resolve(folder) : zarr.root(listable);
  const root = await zarr.open(location, { kind: "group" });
  let listed = null;
  if (typeof listable.contents === "function") {
    const base = location.path === "/" ? "/" : `${location.path}/`;
    listed = listable.contents().filter((n) => n.kind === "array" && n.path.startsWith(base))
      .map((n) => n.path.slice(base.length)).sort();
    notes.push("listed from consolidated metadata (withMaybeConsolidatedMetadata(...).contents())");
  } else {
    notes.push("zarrita.js lists a hierarchy only from consolidated metadata; this archive has none, so the listing is not checked");
  }
  const arrays = {}, errors = {};
  for (const expected of manifest.arrays) {
    try {
      const arr = await zarr.open(root.resolve(expected.path), { kind: "array" });
      let values, slice;
      if (arr.shape.length === 0) {
        values = scalarOf(out, arr.dtype, await zarr.get(arr));
        slice = null;
      } else {
        values = valuesOf(out, arr.dtype, await zarr.get(arr));
        const box = expected.slice.map(([start, stop]) => zarr.slice(start, stop));
        slice = valuesOf(out, arr.dtype, await zarr.get(arr, box));
      }
      arrays[expected.path] = { values, slice, attrs: jsonable(arr.attrs), dims: arr.dimensionNames ?? null };
    } catch (error) {
      errors[expected.path] = `${error?.name ?? "Error"}: ${error?.message ?? error}`.slice(0, 500);
      const cause = await hiddenCause(root, expected.path, error);
      if (cause) notes.push(`${expected.path}: ${cause}`);
    }
  }
  return { listed, arrays, errors, notes };
}

serve({ versions, fallbacks, read });
