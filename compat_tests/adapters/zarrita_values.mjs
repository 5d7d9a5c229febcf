// What the zarrita.js readers share (local and HTTP): zarrita's values as .npy files, its attributes as JSON.
import { npy } from "./node_protocol.mjs";

// .npy type of zarrita's data types (its values come back in the machine's order: little-endian)
const NPY = {
  bool: "|b1", int8: "|i1", uint8: "|u1", int16: "<i2", uint16: "<u2", int32: "<i4", uint32: "<u4",
  int64: "<i8", uint64: "<u8", float16: "<f2", float32: "<f4", float64: "<f8",
};

function descrOf(dtype) {
  if (NPY[dtype]) return NPY[dtype];
  const fixed = /^v2:([US])(\d+)$/.exec(dtype);
  if (fixed) return fixed[1] === "U" ? `<U${fixed[2]}` : `|S${fixed[2]}`;
  return undefined; // "string", "v2:object": a JS Array of strings
}

/** The bytes of a zarrita data array: typed arrays, BoolArray, ByteStringArray, UnicodeStringArray. */
function bytesOf(data) {
  if (ArrayBuffer.isView(data)) return data;
  if (data && data.buffer instanceof ArrayBuffer) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`zarrita returned ${data?.constructor?.name ?? typeof data}, which has no byte buffer`);
}

/** zarrita's {data, shape, stride} (any strides) in C order, as .npy (or strings). */
export function valuesOf(out, dtype, chunk) {
  const { shape, stride } = chunk;
  const size = shape.reduce((a, b) => a * b, 1);
  const cStride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const contiguous = shape.every((n, d) => n <= 1 || stride[d] === cStride[d]);
  const at = (k) => shape.reduce((offset, n, d) => offset + (Math.floor(k / cStride[d]) % n) * stride[d], 0);
  const descr = descrOf(dtype);
  if (descr === undefined) { // variable-length strings (or objects): a plain JS Array
    const items = [];
    for (let k = 0; k < size; k++) items.push(chunk.data[contiguous ? k : at(k)]);
    if (!items.every((x) => typeof x === "string")) throw new TypeError(`zarrita returned ${dtype} values that are not all strings`);
    return npy(out, items, shape);
  }
  const bytes = bytesOf(chunk.data);
  const width = bytes.byteLength / Math.max(chunk.data.length, 1);
  const raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ordered = raw;
  if (!contiguous) {
    ordered = new Uint8Array(size * width);
    for (let k = 0; k < size; k++) ordered.set(raw.subarray(at(k) * width, (at(k) + 1) * width), k * width);
  }
  return npy(out, ordered.subarray(0, size * width), shape, descr);
}

/** A 0-d read: zarr.get returns the element itself. */
export function scalarOf(out, dtype, value) {
  const descr = descrOf(dtype);
  if (descr === undefined) return npy(out, [String(value)], []);
  const Ctr = { bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
    uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array }[dtype];
  if (!Ctr) throw new TypeError(`no scalar form for ${dtype}`);
  return npy(out, Ctr.from([dtype === "bool" ? Number(value) : value]), [], descr);
}

export function jsonable(value) {
  return JSON.parse(JSON.stringify(value ?? {}, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
}

