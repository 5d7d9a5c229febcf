import pathlib, numpy as np

ARCHIVE_FILE = "tiny.zip"  # set by report-bug
ARRAY = "a"  # set by report-bug
EXPECTED = np.arange(4, dtype="<i4")  # set by report-bug
ATTRS = {}  # set by report-bug
DIMS = None  # set by report-bug
path = pathlib.Path(__file__).resolve().with_name(ARCHIVE_FILE)  # the archive, attached beside this script
