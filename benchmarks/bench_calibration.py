"""Calibration speed: one historical run with its statistics, and a whole calibration on Dask.

(a) the fast simulator (`analysis.calibration_runs.Simulator`): one 250-household village of
    historical_path_1951_1957 for 7 years plus every calibration target's statistic, per run,
    for batches of 1 and of 50 particles (each particle its own parameters, so its own model);
(b) `huzhu calibrate`'s run of the 10 parameters on a 2-worker LocalCluster with at least
    20,000 simulations (1000 particles a generation, batches of 50; `--replicates` runs a particle,
    1 by default to measure the throughput of village runs, 4 as `huzhu calibrate` does).

    PYTHONPATH=. python benchmarks/bench_calibration.py            # both
    PYTHONPATH=. python benchmarks/bench_calibration.py --only a   # the simulator alone
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def per_run(batch: int, repeats: int) -> float:
    """Milliseconds per particle run (model and statistics) in batches of `batch` particles."""
    from analysis import calibration
    from analysis.calibration_runs import Simulator

    priors = calibration.load_priors()
    sim = Simulator(calibration.calibration_targets(), replicates=1)
    rng = np.random.default_rng(1)
    particles = [{p.name: rng.uniform(p.low, p.high) for p in priors} for _ in range(batch)]
    sim.statistics(sim.run(particles[:1], [0]))  # load the kernels
    best = np.inf
    for r in range(repeats):
        t0 = time.perf_counter()
        sim.statistics(sim.run(particles, list(range(r * batch, (r + 1) * batch))))
        best = min(best, (time.perf_counter() - t0) / batch * 1000)
    return best


def whole(population: int, generations: int, max_simulations: int, replicates: int) -> dict:
    from analysis.calibration import calibrate

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = calibrate(population=population, generations=generations, seed=1951, out=Path(d) / "cal",
                        workers=2, batch_size=50, max_simulations=max_simulations, replicates=replicates)  # fmt: skip
        wall = time.perf_counter() - t0
    s = res.summary
    return {
        "simulations": s["simulations"],
        "replicates": replicates,
        "village_runs": s["simulations"] * replicates,
        "generations": s["generations_run"],
        "wall_s": round(wall, 1),
        "ms_per_simulation_wall": round(wall / s["simulations"] * 1000, 2),
        "epsilons": [round(g["epsilon"], 4) for g in s["generations"]],
        "acceptance": [round(g["acceptance"], 3) for g in s["generations"] if g["acceptance"]],
        "medians": {k: round(v["median"], 3) for k, v in s["parameters"].items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=("a", "b"))
    ap.add_argument("--population", type=int, default=1000)
    ap.add_argument("--generations", type=int, default=30)
    ap.add_argument("--max-simulations", type=int, default=20_000)
    # the target counts village runs: 1 run a particle measures the throughput; `huzhu calibrate` uses 4
    ap.add_argument("--replicates", type=int, default=1)
    args = ap.parse_args()
    out = {}
    if args.only in (None, "a"):
        out["ms_per_run_batch_1"] = round(per_run(1, 40), 2)
        out["ms_per_run_batch_50"] = round(per_run(50, 4), 2)
        print(json.dumps(out), flush=True)
    if args.only in (None, "b"):
        out["calibration"] = whole(args.population, args.generations, args.max_simulations, args.replicates)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
