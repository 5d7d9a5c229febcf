const json = (v) => JSON.stringify(v, (_key, x) => (typeof x === "bigint" ? `${x}n` : x));
const show = (a) => `${a.dtype ?? "text"} [${a.shape}] ${json(a.values.slice(0, 6))}`;
console.log(`expected: ${ARRAY}: ${show(EXPECTED)}, attributes ${json(ATTRS)}, dimensions ${json(DIMS)}`);
const got = await read(bytes).catch((error) => {
  console.log(`actual:   ${error.name}: ${error.message}\noutcome: error`);
  process.exit(1);
});
const { data, shape, stride } = got.chunk;
const offset = (k) => shape.reduceRight(([rest, at], n, d) => [Math.floor(rest / n), at + (rest % n) * stride[d]], [k, 0])[1];
const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => (data.get ? data.get(offset(k)) : data[offset(k)]));
console.log(`actual:   ${ARRAY}: ${show({ dtype: got.dtype, shape, values })}, attributes ${json(got.attrs)}, dimensions ${json(got.dims)}, listed ${json(got.listed)}`);
const same = `${shape}` === `${EXPECTED.shape}` && values.every((v, k) => v === EXPECTED.values[k] || (Number.isNaN(v) && Number.isNaN(EXPECTED.values[k])));
const problems = [
  [!same, "values differ"],
  [same && EXPECTED.dtype !== null && got.dtype !== EXPECTED.dtype, `dtype ${got.dtype} instead of ${EXPECTED.dtype}`],
  [got.listed !== null && !got.listed.includes(ARRAY), `${ARRAY} not listed`],
  [Object.entries(ATTRS).some(([k, v]) => json(got.attrs[k]) !== json(v)) || (DIMS !== null && json(got.dims ?? []) !== json(DIMS)),
    "attributes or dimension names differ"],
].filter(([bad]) => bad).map(([, what]) => what);
console.log("problems:", problems.join("; ") || "none");
console.log("outcome:", !same ? "wrong-data" : problems.length ? "partial" : "pass");
