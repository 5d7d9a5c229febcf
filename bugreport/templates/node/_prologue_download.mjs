import crypto from "node:crypto";
import fs from "node:fs/promises";

const ARCHIVE_URL = "";  // set by report-bug
const ARCHIVE_SHA256 = "";  // set by report-bug
const ARCHIVE_FILE = "tiny.zip";  // set by report-bug
const ARRAY = "a";  // set by report-bug
const EXPECTED = { dtype: "int32", shape: [4], values: [0, 1, 2, 3] };  // set by report-bug
const ATTRS = {};  // set by report-bug
const DIMS = null;  // set by report-bug
const download = async () => Buffer.from(await (await fetch(ARCHIVE_URL)).arrayBuffer());  // as its project publishes it
const bytes = await fs.readFile(new URL(ARCHIVE_FILE, import.meta.url)).catch(download);  // beside this script, or downloaded
if (crypto.createHash("sha256").update(bytes).digest("hex") !== ARCHIVE_SHA256) throw new Error(`${ARCHIVE_FILE} is not the archive of this report`);
