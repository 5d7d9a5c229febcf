const ARCHIVE_B64 = "";  // set by report-bug
const ARRAY = "a";  // set by report-bug
const EXPECTED = { dtype: "int32", shape: [4], values: [0, 1, 2, 3] };  // set by report-bug
const ATTRS = {};  // set by report-bug
const DIMS = null;  // set by report-bug
const bytes = Buffer.from(ARCHIVE_B64, "base64");  // the archive, from the base64 above
