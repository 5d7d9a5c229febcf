import fs from "node:fs/promises";

const ARCHIVE_FILE = "tiny.zip";  // set by report-bug
const ARRAY = "a";  // set by report-bug
const EXPECTED = { dtype: "int32", shape: [4], values: [0, 1, 2, 3] };  // set by report-bug
const ATTRS = {};  // set by report-bug
const DIMS = null;  // set by report-bug
const bytes = await fs.readFile(new URL(ARCHIVE_FILE, import.meta.url));  // the archive, attached beside this script
