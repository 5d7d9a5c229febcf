import hashlib, pathlib, urllib.request, numpy as np

ARCHIVE_URL = ""  # set by report-bug
ARCHIVE_SHA256 = ""  # set by report-bug
ARCHIVE_FILE = "tiny.zip"  # set by report-bug
ARRAY = "a"  # set by report-bug
EXPECTED = np.arange(4, dtype="<i4")  # set by report-bug
ATTRS = {}  # set by report-bug
DIMS = None  # set by report-bug
path = pathlib.Path(__file__).resolve().with_name(ARCHIVE_FILE)
if not path.exists():  # the archive as its project publishes it, downloaded once beside this script
    urllib.request.urlretrieve(ARCHIVE_URL, path)
assert hashlib.sha256(path.read_bytes()).hexdigest() == ARCHIVE_SHA256, f"{path} is not the archive of this report"
