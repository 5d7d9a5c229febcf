import base64, pathlib, tempfile, numpy as np

ARCHIVE_B64 = ""  # set by report-bug
ARRAY = "a"  # set by report-bug
EXPECTED = np.arange(4, dtype="<i4")  # set by report-bug
ATTRS = {}  # set by report-bug
DIMS = None  # set by report-bug
path = pathlib.Path(tempfile.mkdtemp(), "tiny.zip")  # the archive, written from the base64 above
path.write_bytes(base64.b64decode(ARCHIVE_B64))
