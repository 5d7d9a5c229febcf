# packages: numpy
import os, re, subprocess

TYPES = {"byte": "i1", "ubyte": "u1", "short": "i2", "ushort": "u2", "int": "i4", "uint": "u4", "int64": "i8", "uint64": "u8", "float": "f4", "double": "f8"}


def read(path):
    ncdump = os.path.join(os.environ["ZIPCOMPAT_NETCDF_C_PREFIX"], "bin", "ncdump")  # the netCDF-C build with libzip
    cdl = subprocess.run([ncdump, "-p", "9,17", "-v", "/" + ARRAY, f"file://{path}#mode={MODE}"], capture_output=True, text=True, check=True).stdout
    name, (head, _, data) = re.escape(ARRAY.split("/")[-1]), cdl.partition("\ndata:\n")
    kind, dims = re.search(r"\n\s*(\w+) " + name + r"(?:\(([^)]*)\))? ;", head).groups()
    fill = re.search(r"\n\s*" + name + r":_FillValue = ([^ ;]+) ;", head)
    tokens = [fill.group(1) if t == "_" and fill else t  # ncdump prints the fill value as _
              for t in re.search(r"\n\s*" + name + r" =(.*?);", data, re.S).group(1).replace(",", " ").split()]
    values = np.array([(float if TYPES[kind][0] == "f" else int)(re.sub(r"(?<=\d|y|N)(f|b|s|UB|US|U|LL|ULL)$", "", t)) for t in tokens], TYPES[kind])
    sizes, dims = dict(re.findall(r"\n\s*(\w+) = (\d+) ;", head.partition("variables:")[0])), [d.strip() for d in (dims or "").split(",") if d.strip()]
    attrs = dict(re.findall(r"\n\s*" + name + r':(\w+) = "((?:[^"\\]|\\.)*)" ;', head))  # the text attributes
    return re.findall(r"\n\s*\w+ (\w+)(?:\([^)]*\))? ;", head), values.reshape([int(sizes[d]) for d in dims]), attrs, dims
