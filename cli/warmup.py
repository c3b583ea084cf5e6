"""Compile the model's kernels once, before anything waits on them, and say so.

The model's yearly step is a set of numba kernels, compiled on first use and kept
on disk (`model.jit`): the first run after installing (or after the model changes)
spends about a minute compiling, later runs load them in a second. Without a
warm-up that minute falls on whoever is first: a batch run whose progress bar sits
at 0%, or the first student's "Step a year". So set-up compiles them ahead
(`make demo` and `make test` run ``python -m cli.warmup``), and `huzhu app` does it
before it serves the page.

One process compiles at a time: a lock file beside the kernel cache makes a second
warm-up (or a second server) wait for the first and then load what it compiled,
instead of compiling the same kernels twice on the same cores.

    python -m cli.warmup          # compile (or load) the kernels, saying what it does
    python -m cli.warmup --quiet  # the same, silently
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

# Small villages, two years each: every kernel is called (and so compiled) with the
# types a full run uses, at little cost once compiled.
WARM_HOUSEHOLDS = 40
WARM_YEARS = 2
ESTIMATE = "about a minute"  # measured: 40-70 s of one core for the whole model


def lock_path() -> Path:
    """The lock file beside the kernel cache (or in the temporary directory if that is read-only)."""
    from model import jit

    cache = jit.PACKAGE / "__pycache__"
    try:
        cache.mkdir(exist_ok=True)
        if os.access(cache, os.W_OK):
            return cache / "huzhu-warmup.lock"
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / "huzhu-warmup.lock"


@contextlib.contextmanager
def one_at_a_time(out: TextIO | None) -> Iterator[None]:
    """Hold the warm-up lock; if another process holds it, say so and wait for it."""
    with open(lock_path(), "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if out:
                print("huzhu: another process is compiling the model's kernels; waiting for it", file=out, flush=True)
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _compiled_count() -> int:
    """How many kernel signatures were compiled (not loaded from the disk cache) in this process."""
    import numba.core.registry

    n = 0
    for module in [m for name, m in sys.modules.items() if name.startswith("model.")]:
        for obj in vars(module).values():
            if isinstance(obj, numba.core.registry.CPUDispatcher):
                n += sum(obj.stats.cache_misses.values())
    return n


def warm(out: TextIO | None = sys.stdout) -> float:
    """Run every scenario preset briefly so that every kernel is compiled or loaded; the seconds it took."""
    if out:
        print(
            f"huzhu: compiling the model's kernels, once ({ESTIMATE} the first time; a second when already compiled)...",
            file=out,
            flush=True,
        )
    t0 = time.perf_counter()
    with one_at_a_time(out):
        from model import VillageModel
        from model.params import DEFAULTS, make_params
        from scenarios.loader import load, preset_names

        settings = [DEFAULTS.model_dump()] + [load(name).params.model_dump() for name in preset_names()]
        for values in settings:
            values.update(households=WARM_HOUSEHOLDS, villages=1)
            m = VillageModel(rng=1, **make_params(values).model_dump())
            for _ in range(WARM_YEARS):
                m.step()
    seconds = time.perf_counter() - t0
    if out:
        compiled = _compiled_count()
        what = f"compiled {compiled} kernel(s)" if compiled else "already compiled, loaded from the disk cache"
        print(f"huzhu: the model's kernels are ready ({what}, {seconds:.0f} s)", file=out, flush=True)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.warmup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true", help="say nothing")
    args = parser.parse_args(argv)
    warm(None if args.quiet else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
