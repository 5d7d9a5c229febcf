show = lambda a: f"{a.dtype} {a.shape} {a.ravel()[:6].tolist()}"
print(f"expected: {ARRAY}: {show(EXPECTED)}, attributes {ATTRS}, dimensions {DIMS}")
try:
    listed, got, attrs, dims = read(str(path))
except Exception as exc:
    raise SystemExit(f"actual:   {type(exc).__name__}: {exc}\noutcome: error")
got = np.asarray(got)
print(f"actual:   {ARRAY}: {show(got)}, attributes {attrs}, dimensions {dims}, listed {listed}")
text = EXPECTED.dtype.kind in "OTUS"  # text is compared as str, numbers NaN-aware
same = got.shape == EXPECTED.shape and (np.array_equal(got.astype(str), EXPECTED.astype(str)) if text else np.array_equal(got, EXPECTED, equal_nan=EXPECTED.dtype.kind in "fc" and got.dtype.kind in "fc"))
problems = [p for p, bad in [
    ("values differ", not same),
    (f"dtype {got.dtype} instead of {EXPECTED.dtype}", same and not text and got.dtype.newbyteorder("=") != EXPECTED.dtype.newbyteorder("=")),
    (f"{ARRAY} not listed", listed is not None and ARRAY not in listed and ARRAY.rsplit("/", 1)[-1] not in listed),
    ("attributes or dimension names differ", attrs is not None and (any(attrs.get(k) != v for k, v in ATTRS.items()) or bool(DIMS) and list(dims or []) != DIMS))] if bad]
print("problems:", "; ".join(problems) or "none")
print("outcome:", "wrong-data" if not same else "partial" if problems else "pass")
