// Test-only reader in Node.js: proves that a reader in another language is one file (plus an environment).
// It reads what the contract test gives it: a stored (uncompressed) ZIP of a Zarr 3 store, int32 arrays
// with the bytes codec, C-order chunks under "c/". Node's standard library only; no zip or zarr package.
// reader: id = "selftest-node-int32"
// reader: env = "node"
// reader: library = "Node.js standard library (test reader)"
// reader: call = "fs.readFileSync(path) + a stored-ZIP and Zarr 3 parser in a few lines"
// reader: test_only = true
// reader: worker = ["node", "--disable-wasm-trap-handler", "{file}"]
import fs from "node:fs";
import { npy, serve } from "../../compat_tests/adapters/node_protocol.mjs";

function members(zip) { // name -> bytes, from the central directory (stored members only)
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const out = new Map();
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < zip.readUInt16LE(end + 10); i++) {
    const [method, size, nameLength, extra, comment, local] = [zip.readUInt16LE(at + 10), zip.readUInt32LE(at + 20),
      zip.readUInt16LE(at + 28), zip.readUInt16LE(at + 30), zip.readUInt16LE(at + 32), zip.readUInt32LE(at + 42)];
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (method !== 0) throw new Error(`${name}: compression method ${method} is not read by this test reader`);
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.set(name, zip.subarray(data, data + size));
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

function read(archive, manifest, options, out) {
  const files = members(fs.readFileSync(archive));
  const listed = [...files.keys()].filter((n) => n.endsWith("/zarr.json") && JSON.parse(files.get(n)).node_type === "array")
    .map((n) => n.slice(0, -"/zarr.json".length)).sort();
  const arrays = {}, errors = {};
  for (const { path } of manifest.arrays) {
    try {
      const meta = JSON.parse(files.get(`${path}/zarr.json`));
      if (meta.data_type !== "int32") throw new Error(`data type ${meta.data_type} is not read by this test reader`);
      const { shape } = meta, chunk = meta.chunk_grid.configuration.chunk_shape;
      const values = new Int32Array(shape.reduce((a, b) => a * b, 1)).fill(meta.fill_value ?? 0);
      const grid = shape.map((n, d) => Math.ceil(n / chunk[d]));
      for (let c = 0; c < grid.reduce((a, b) => a * b, 1); c++) {
        const index = grid.map((_, d) => Math.floor(c / grid.slice(d + 1).reduce((a, b) => a * b, 1)) % grid[d]);
        const bytes = files.get(`${path}/c/${index.join("/")}`);
        if (!bytes) continue; // a missing chunk is the fill value
        const data = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        for (let k = 0; k < data.length; k++) { // element k of the chunk -> its place in the array
          const local = chunk.map((_, d) => Math.floor(k / chunk.slice(d + 1).reduce((a, b) => a * b, 1)) % chunk[d]);
          const global = local.map((x, d) => x + index[d] * chunk[d]);
          if (global.some((x, d) => x >= shape[d])) continue;
          values[global.reduce((a, x, d) => a * shape[d] + x, 0)] = data[k];
        }
      }
      arrays[path] = { values: npy(out, values, shape), slice: null, attrs: meta.attributes ?? {}, dims: meta.dimension_names ?? null };
    } catch (error) {
      errors[path] = `${error.name}: ${error.message}`;
    }
  }
  return { listed, arrays, errors, notes: [] };
}

serve({ versions: () => ({}), fallbacks: [], read });
