// The worker protocol for readers written for Node.js (docs/worker-protocol.md), shared by them
// as common.py is by the Python adapters. A reader module calls
//
//     serve({ versions, fallbacks, read })
//
// versions():  {name: version} of what it runs (its packages, node itself)
// fallbacks:   the documented options it may try ([] when none)
// read(archive, manifest, options, out): {listed, arrays: {path: {values, slice, attrs, dims} | {missing}}, errors, notes}
//              where values and slice are what npy(out, ...) returns: array values travel as .npy files, never JSON numbers.
//
// Requests and answers are JSON lines on stdin and stdout; anything a library prints goes to stderr.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const DESCR = {
  Int8Array: "|i1", Uint8Array: "|u1", Uint8ClampedArray: "|u1", Int16Array: "<i2", Uint16Array: "<u2",
  Int32Array: "<i4", Uint32Array: "<u4", Float32Array: "<f4", Float64Array: "<f8",
  BigInt64Array: "<i8", BigUint64Array: "<u8",
};

let written = 0;

/** Write a typed array as a .npy file (C order, little-endian) in the request's folder; returns {npy: name}. */
export function npy(out, data, shape, descr = undefined) {
  if (Array.isArray(data) && data.every((x) => typeof x === "string")) {
    return { strings: data, shape }; // variable-length strings: no .npy form without pickle
  }
  const kind = descr ?? DESCR[data.constructor.name];
  if (!kind) throw new TypeError(`no .npy type for ${data.constructor.name}`);
  const header = `{'descr': '${kind}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const unpadded = 10 + header.length + 1;
  const padded = header + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const preamble = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(preamble);
  preamble.writeUInt16LE(padded.length, 8);
  const name = `v${written++}.npy`;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(path.join(out, name), Buffer.concat([preamble, Buffer.from(padded, "latin1"), bytes]));
  return { npy: name };
}

/** Import an installed package of the reader's environment (ZIPCOMPAT_NODE_MODULES), by its package name. */
export async function load(name, subpath = ".") {
  const folder = path.join(packagesFolder(), name);
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8"));
  let entry = manifest.exports?.[subpath] ?? (subpath === "." ? manifest.exports : undefined);
  while (entry && typeof entry === "object") entry = entry.import ?? entry.default ?? entry.node;
  entry = entry ?? (subpath === "." ? manifest.module ?? manifest.main ?? "index.js" : subpath);
  return import(pathToFileURL(path.join(folder, entry)).href);
}

/** The installed version of a package of the reader's environment. */
export function installed(name) {
  const file = path.join(packagesFolder(), name, "package.json");
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

function packagesFolder() {
  const folder = process.env.ZIPCOMPAT_NODE_MODULES;
  if (!folder) throw new Error("ZIPCOMPAT_NODE_MODULES is not set: the reader's environment declares it (runtime_env)");
  return folder;
}

/** JSON text of a message in which every number keeps its double's identity on the Python side: JavaScript writes
 * an integral double beyond 2^53 (an attribute such as 1e20) as digits ("100000002004087730000"), which Python reads
 * as an exact int that is not that double; such numbers are written in exponent form instead, which Python reads as
 * the same float. */
export function toJson(message) {
  const marks = [];
  const token = `\u0000n${Math.random().toString(36).slice(2)}:`; // no string a library returns holds it
  const text = JSON.stringify(message, (_key, value) => {
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      marks.push(value.toExponential());
      return `${token}${marks.length - 1}`;
    }
    return value;
  });
  if (!marks.length) return text;
  const quoted = JSON.stringify(token).slice(1, -1); // as the token appears inside JSON text
  return text.replace(new RegExp(`"${quoted.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}(\\d+)"`, "g"), (_m, i) => marks[Number(i)]);
}

/** Serve requests until stdin ends. */
export function serve({ versions, fallbacks = [], read }) {
  const answer = (message) => process.stdout.write(toJson(message) + "\n");
  console.log = console.info = console.warn = console.debug = (...args) => process.stderr.write(args.join(" ") + "\n");
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    queue = queue.then(async () => {
      const started = performance.now();
      try {
        const request = JSON.parse(line);
        if (request.command === "describe") {
          answer({ ok: true, result: { versions: { ...(await versions()), node: process.versions.node }, fallbacks } });
        } else {
          const manifest = JSON.parse(fs.readFileSync(request.manifest, "utf8"));
          const result = await read(request.archive, manifest, request.options ?? {}, request.out);
          answer({ ok: true, result, seconds: (performance.now() - started) / 1000 });
        }
      } catch (error) {
        answer({ ok: false, error: `${error?.name ?? "Error"}: ${error?.message ?? error}`.slice(0, 2000),
                 traceback: String(error?.stack ?? "").slice(-4000), seconds: (performance.now() - started) / 1000 });
      }
    });
  });
}
