"""Test-only reader: starts a command-line tool that never ends and waits for it, as a command-line reader on a huge
archive would; the tool's pid goes to the file ZIPCOMPAT_SELFTEST_PID_FILE names."""
# reader: id = "selftest-tool-hang"
# reader: env = "zarr3"
# reader: library = 'none'
# reader: call = 'subprocess.run(["sleep", "600"])'
# reader: test_only = true

import os
import subprocess

FALLBACKS: list = []


def versions() -> dict:
    return {"selftest": "1"}


def read(archive, manifest, options):
    tool = subprocess.Popen(["sleep", "600"])
    with open(os.environ["ZIPCOMPAT_SELFTEST_PID_FILE"], "w") as out:
        out.write(str(tool.pid))
    tool.wait()
