"""The compiler for the model's kernels: numba's `njit`, with the settings every kernel shares.

The yearly step works on arrays of all households of all villages. Where numpy would
need dozens of calls per phase (each costing microseconds whatever the array's size),
the phase is one compiled loop over households instead: a 250-household village then
pays for its arithmetic, not for the calls.

- `cache=True`: compiled once per machine and kept beside the source (or in the user's
  cache when that is read-only), so later processes and batch workers start at once.
- `error_model="numpy"`: division by zero gives inf/nan as in numpy, never an exception.
- no `fastmath`: IEEE arithmetic in the order written, so results are reproducible.
- `nogil=True`: threads (e.g. Dask's) can run kernels side by side.

Setting the environment variable `NUMBA_DISABLE_JIT=1` runs every kernel as plain
Python, for stepping through it in a debugger (slowly).

>>> from model.grouping import group_sums
>>> group_sums(np.array([0, 1, 0]), np.array([1.0, 2.0, 3.5]), 2).tolist()
[4.5, 2.0]
"""

from __future__ import annotations

import numba
import numpy as np  # noqa: F401  (used by the doctest)

jit = numba.njit(cache=True, nogil=True, error_model="numpy")

__all__ = ["jit"]
