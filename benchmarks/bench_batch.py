"""Benchmark of the batch runner: 1,000 runs of 250 households x 30 years, results written.

Runs the same batch with 1 and with 2 workers (into fresh temporary folders) and
prints the wall time of each, runs per second and the speed-up. Targets: at most
20 s with 2 workers on a 2-core machine, and a speed-up of at least 1.8.

    python benchmarks/bench_batch.py            # the full benchmark
    python benchmarks/bench_batch.py --runs 200 # a quicker look
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

import scenarios
from model.params import make_params


def batch(runs: int, households: int, years: int) -> scenarios.Scenario:
    """The default village as a scenario of `runs` replications."""
    sc = scenarios.load("liu_shaoqi_1951")
    return dataclasses.replace(
        sc, name="bench", params=make_params(sc.params, households=households), years=years, replications=runs
    )


def cpu_seconds() -> float:
    """CPU time of this process (the whole batch when it runs with one worker)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def timed(sc: scenarios.Scenario, workers: int, root: Path) -> tuple[float, float, pd.DataFrame]:
    """Wall time and CPU time of one batch, results written; and its runs."""
    out = root / f"workers-{workers}"
    cpu, start = cpu_seconds(), time.perf_counter()
    res = scenarios.run(sc, out=out, workers=workers, progress=False)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    assert res.complete, res.failures
    return seconds, cpu, res.frame()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--households", type=int, default=250)
    ap.add_argument("--years", type=int, default=30)
    args = ap.parse_args()
    sc = batch(args.runs, args.households, args.years)
    print(f"{args.runs} runs of {args.households} households x {args.years} years on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        one, cpu1, frame1 = timed(sc, 1, Path(tmp))
        # CPU time over wall time: well under 100% means other work shared the core
        print(f"1 worker : {one:6.1f} s  ({args.runs / one:5.1f} runs/s; {cpu1:.1f} CPU s, {cpu1 / one:.0%} of a core)")
        two, _, frame2 = timed(sc, 2, Path(tmp))
        print(f"2 workers: {two:6.1f} s  ({args.runs / two:5.1f} runs/s)")
        pd.testing.assert_frame_equal(frame1, frame2)
    print(f"speed-up : {one / two:6.2f}x   (targets: 2 workers <= 20 s, speed-up >= 1.8)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows both runs)")


if __name__ == "__main__":
    main()
