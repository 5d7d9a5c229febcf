import base64, pathlib, tempfile, numpy as np

ARCHIVE_B64 = ""  # set by report-bug
ARCHIVE_FILE = "tiny.zip"  # set by report-bug
ARRAY = "a"  # set by report-bug
EXPECTED = np.arange(4, dtype="<i4")  # set by report-bug
ATTRS = {}  # set by report-bug
DIMS = None  # set by report-bug
path = pathlib.Path(tempfile.mkdtemp(), ARCHIVE_FILE) if ARCHIVE_B64 else pathlib.Path(__file__).resolve().with_name(ARCHIVE_FILE)
if ARCHIVE_B64:  # the archive is embedded: write it to a temporary folder
    path.write_bytes(base64.b64decode(ARCHIVE_B64))
