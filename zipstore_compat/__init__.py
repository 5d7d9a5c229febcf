"""zipstore-compat: who can read a zipped Zarr store, and correctly? The one import package of the suite.

Every module of the suite is `zipstore_compat.<package>.<module>`: zipstore_compat.compat_tests (the harness and its
pytest plugin), .fixtures, .datasets, .envs, .core and the products (.bugreport, .repro, .bench, .repofiles, .doctor).

In a checkout the repository keeps its layout (compat_tests/, fixtures/, ... at the top, beside this folder): the
package's path is this folder and the repository's root, so `zipstore_compat.compat_tests.cells` is the file
compat_tests/cells.py. In the wheel those folders are inside this one (pyproject.toml) and the path is left alone.
Where the suite reads its code and data and where it writes: zipstore_compat.core.locations.
"""

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

__version__ = "0.3.0"   # the suite's release (pyproject.toml says the same; tests/test_package.py checks it)

_here = Path(__file__).resolve().parent
if not (_here / "compat_tests").is_dir() and (_here.parent / "compat_tests").is_dir():   # a checkout
    __path__.append(str(_here.parent))
del _here, Path


def one_name(name: str) -> None:
    """Called by a package of the suite imported by its short name (`python -m fixtures` from a checkout's root, pytest
    collecting compat_tests/test_matrix.py): that name becomes the qualified module itself, and so does every module
    under it (`import compat_tests.readers` is zipstore_compat.compat_tests.readers, through ShortNames), so that no
    module of the suite is ever loaded twice, under two names, in one process."""
    if not any(isinstance(finder, ShortNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, ShortNames())
    sys.modules[name] = importlib.import_module(f"{__name__}.{name}")


class ShortNames:
    """The import system's finder and loader of `<package>.<module>` for a package of the suite that one_name made an
    alias: the module is the qualified one (its code, for `python -m bench.readers`, is the qualified module's file)."""

    @staticmethod
    def qualified(fullname: str) -> str | None:
        top, dot, _ = fullname.partition(".")
        if dot and top in sys.modules and sys.modules[top] is sys.modules.get(f"{__name__}.{top}"):
            return f"{__name__}.{fullname}"
        return None

    def find_spec(self, fullname, path=None, target=None):
        qualified = self.qualified(fullname)
        real = importlib.util.find_spec(qualified) if qualified else None
        if real is None:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=real.origin, is_package=real.submodule_search_locations is not None)
        spec.has_location = real.has_location
        return spec

    def create_module(self, spec):
        return importlib.import_module(self.qualified(spec.name))

    def exec_module(self, module):
        pass   # the qualified module ran already

    def get_code(self, fullname):
        qualified = self.qualified(fullname)
        return importlib.util.find_spec(qualified).loader.get_code(qualified)
