"""The compiler for the model's kernels: numba's `njit`, with the settings every kernel shares.

The yearly step works on arrays of all households of all villages. Where numpy would
need dozens of calls per phase (each costing microseconds whatever the array's size),
the phase is one compiled loop over households instead: a 250-household village then
pays for its arithmetic, not for the calls.

- `cache=True`: compiled once per machine and kept beside the source (or in the user's
  cache when that is read-only), so later processes and batch workers start at once.
  The cache is keyed by every module of this package, not only the kernel's own file,
  because a kernel compiles in the kernels it calls from other modules.
- `error_model="numpy"`: division by zero gives inf/nan as in numpy, never an exception.
- no `fastmath`: IEEE arithmetic in the order written, so results are reproducible.
- `nogil=True`: threads (e.g. Dask's) can run kernels side by side.

Setting the environment variable `NUMBA_DISABLE_JIT=1` runs every kernel as plain
Python, for stepping through it in a debugger (slowly; the same results).

>>> from model.grouping import group_sums
>>> group_sums(np.array([0, 1, 0]), np.array([1.0, 2.0, 3.5]), 2).tolist()
[4.5, 2.0]
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path

import numba
import numpy as np  # noqa: F401  (used by the doctest)
from numba.core import caching

PACKAGE = Path(__file__).resolve().parent
_PREFIX = "kernels-"


@functools.cache
def package_stamp() -> bytes:
    """A hash of every module of the package: the freshness stamp of each cached kernel."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


class _PackageStamp:
    """Stamp this package's kernels with the whole package, and leave other code to numba's locators.

    Each version of the package keeps its kernels in a directory of its own (`kernels-<stamp>`):
    numba names cache files by function and line, so versions sharing one directory could load
    kernels compiled for another version next to fresh ones. Other versions' directories are
    removed when a new one is made (a process of that version would just compile again).
    """

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._cache_path = str(Path(self._cache_path) / f"{_PREFIX}{package_stamp().hex()[:16]}")

    def get_source_stamp(self):
        return package_stamp()

    def ensure_cache_path(self):
        path = Path(self.get_cache_path())
        fresh = not path.exists()
        super().ensure_cache_path()
        if fresh:
            for old in path.parent.glob(_PREFIX + "*"):
                if old != path:
                    shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def from_function(cls, py_func, py_file):
        if Path(py_file).resolve().parent != PACKAGE:
            return None
        return super().from_function(py_func, py_file)


class PackageCacheLocator(_PackageStamp, caching.InTreeCacheLocator):
    """Beside the source, in `__pycache__`."""


class PackageUserCacheLocator(_PackageStamp, caching.UserWideCacheLocator):
    """In the user's cache directory, where the source tree is read-only."""


# ahead of numba's own locators (a user's NUMBA_CACHE_DIR still goes first)
_locators = caching.CacheImpl._locator_classes
for _cls in (PackageUserCacheLocator, PackageCacheLocator):
    if _cls not in _locators:
        _locators.insert(1, _cls)

jit = numba.njit(cache=True, nogil=True, error_model="numpy")

__all__ = ["jit", "package_stamp"]
