"""zipstore-compat: who can read a zipped Zarr store, and correctly? The one import package of the suite.

Every module of the suite is `zipstore_compat.<package>.<module>`: zipstore_compat.compat_tests (the harness and its
pytest plugin), .fixtures, .datasets, .envs, .core and the products (.bugreport, .repro, .bench, .repofiles, .doctor).

In a checkout the repository keeps its layout (compat_tests/, fixtures/, ... at the top, beside this folder): the
package's path is this folder and the repository's root, so `zipstore_compat.compat_tests.cells` is the file
compat_tests/cells.py. In the wheel those folders are inside this one (pyproject.toml) and the path is left alone.
Where the suite reads its code and data and where it writes: zipstore_compat.core.locations.
"""

from pathlib import Path

__version__ = "0.3.0"   # the suite's release (pyproject.toml says the same; tests/test_package.py checks it)

_here = Path(__file__).resolve().parent
if not (_here / "compat_tests").is_dir() and (_here.parent / "compat_tests").is_dir():   # a checkout
    __path__.append(str(_here.parent))
del _here, Path
