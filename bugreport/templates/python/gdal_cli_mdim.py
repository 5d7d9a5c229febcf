# packages: numpy
import json, pathlib, subprocess, tempfile


def read(path):
    node = json.loads(subprocess.run(["gdalmdiminfo", f"/vsizip/{path}"], capture_output=True, text=True, check=True).stdout)
    for group in ARRAY.split("/")[:-1]:
        node = node["groups"][group]
    desc, out, shape = node["arrays"][ARRAY.split("/")[-1]], pathlib.Path(tempfile.mkdtemp(), "out.zarr"), node["arrays"][ARRAY.split("/")[-1]].get("dimension_size") or []
    one_chunk = ["-co", "ARRAY:BLOCKSIZE=" + ",".join(map(str, shape))] if shape and all(shape) else []
    subprocess.run(["gdalmdimtranslate", "-q", "-of", "Zarr", "-co", "ARRAY:COMPRESS=NONE", *one_chunk,
                    "-array", f"name=/{ARRAY},dstname=v", f"/vsizip/{path}", str(out)], check=True)
    meta, chunk = json.loads((out / "v" / ".zarray").read_text()), out / "v" / (".".join("0" * len(shape)) or "0")
    values = np.frombuffer(chunk.read_bytes(), meta["dtype"]).reshape(meta["shape"]) if chunk.exists() else \
        np.full(meta["shape"], meta["fill_value"], meta["dtype"])  # one uncompressed Zarr v2 chunk: the raw values
    attrs = dict(desc.get("attributes") or {}) | ({"units": desc["unit"]} if desc.get("unit") else {})
    return list(node.get("arrays", {})), values, attrs, [(d if isinstance(d, str) else d["name"]).rsplit("/", 1)[-1] for d in desc.get("dimensions") or []]
