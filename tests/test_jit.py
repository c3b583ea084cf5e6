"""The compiled kernels: cached with a stamp covering the whole model package."""

from __future__ import annotations

import hashlib

import numpy as np

from model import grouping, jit


def test_kernels_are_cached_with_the_package_stamp():
    grouping.group_sums(np.array([0]), np.array([1.0]), 1)  # compiled (or loaded) once
    locator = grouping.group_sums._cache._impl._locator
    assert isinstance(locator, jit.PackageCacheLocator | jit.PackageUserCacheLocator)
    # the stamp covers every module, so editing a kernel another kernel calls recompiles both
    h = hashlib.sha256()
    for path in sorted(jit.PACKAGE.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    assert locator.get_source_stamp() == h.digest()
    # and each version of the package has a directory of its own
    assert locator.get_cache_path().endswith("kernels-" + h.hexdigest()[:16])


def test_code_outside_the_package_keeps_numbas_own_locators():
    def outside():
        return 1

    assert jit.PackageCacheLocator.from_function(outside, __file__) is None
    assert jit.PackageUserCacheLocator.from_function(outside, __file__) is None
