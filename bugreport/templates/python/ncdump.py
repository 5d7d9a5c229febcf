# packages: numpy
import os, re, subprocess

TYPES = {"byte": "i1", "ubyte": "u1", "short": "i2", "ushort": "u2", "int": "i4", "uint": "u4", "int64": "i8", "uint64": "u8", "float": "f4", "double": "f8"}


def read(path):
    ncdump = os.path.join(os.environ.get("ZIPCOMPAT_NETCDF_C_PREFIX", "native"), "bin", "ncdump")  # netCDF-C built with libzip
    cdl = subprocess.run([ncdump, "-p", "9,17", "-v", ARRAY, f"file://{path}#mode={MODE}"], capture_output=True, text=True, check=True).stdout
    name = re.escape(ARRAY.split("/")[-1])
    decl = re.search(r"\n\s*(\w+) " + name + r"(?:\(([^)]*)\))? ;", cdl)  # its declaration, then its attributes and data
    (kind, dims), rest = decl.groups(), cdl[decl.end():]
    fill = re.search(r"\n\s*" + name + r":_FillValue = ([^ ;]+) ;", rest)
    tokens = [fill.group(1) if t == "_" and fill else t for t in re.search(r"\n\s*" + name + r" =(.*?);", rest, re.S).group(1).replace(",", " ").split()]  # _ is the fill value
    values = np.array([(float if TYPES[kind][0] == "f" else int)(re.sub(r"(?<=\d|y|N)(f|b|s|UB|US|U|LL|ULL)$", "", t)) for t in tokens], TYPES[kind])
    sizes, dims = dict(kv for b in re.findall(r"dimensions:\n(.*?)variables:", cdl, re.S) for kv in re.findall(r"(\w+) = (\d+) ;", b)), [d.strip() for d in (dims or "").split(",") if d.strip()]
    attrs = dict(re.findall(r"\n\s*" + name + r':(\w+) = "((?:[^"\\]|\\.)*)" ;', rest))  # the text attributes
    return re.findall(r"\n\s*\w+ (\w+)(?:\([^)]*\))? ;", cdl), values.reshape([int(sizes[d]) for d in dims]), attrs, dims
