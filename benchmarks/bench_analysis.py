"""Time `huzhu plot` and `huzhu report` on 1,000-run batches (targets: 10 s and 20 s).

Each command runs in a fresh interpreter, as a user would start it, so the times
include Python start-up and imports. Batches:

- presets: the five 1951 presets x 200 replications x 30 years from the model
  (made once with the batch runner; pass --presets DIR to reuse one);
- grid: a synthetic 10 x 10 grid sweep x 10 replications x 30 years (heatmaps);
- sobol: a synthetic Sobol sample, N = 128 over 3 parameters (640 points) x 30 years.

The synthetic batches have the runner's format and size; drawing cost depends on
the size and shape of the data, not on where the numbers came from.

    python benchmarks/bench_analysis.py            # prints a Markdown table
    python benchmarks/bench_analysis.py --repeat 3 --presets outputs/runs/presets-1000
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.synthetic import PRESETS, write_synthetic  # noqa: E402

GRID = {
    "kind": "grid",
    "parameters": {
        "fund_levy_rate": [round(0.02 * i, 2) for i in range(10)],
        "join_pressure": [round(0.1 * i, 1) for i in range(10)],
    },
}
SOBOL = {
    "kind": "sobol",
    "N": 128,
    "problem": {
        "num_vars": 3,
        "names": ["fund_levy_rate", "join_pressure", "land_price_years"],
        "bounds": [[0.0, 0.2], [0.0, 1.0], [1.0, 10.0]],
    },
}


def make_presets(out: Path) -> Path:
    import scenarios

    t = time.perf_counter()
    scenarios.run(list(PRESETS), reps=200, years=30, out=out, progress=False)
    print(f"made the preset batch (1,000 model runs) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return out


def timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one command in a fresh interpreter.

    On a shared machine the wall clock also counts waiting for a core; the CPU
    time is what the command itself needs, i.e. its wall time on an idle core.
    """
    code = "import sys; from cli.main import main; sys.exit(main(sys.argv[1:]))"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (the median is shown)")
    ap.add_argument("--presets", type=Path, help="an existing 1,000-run preset batch to reuse")
    ap.add_argument("--synthetic-only", action="store_true", help="skip the model batch")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        batches = {}
        if not args.synthetic_only:
            batches["presets (model)"] = args.presets or make_presets(tmp / "presets")
        batches["grid sweep (synthetic)"] = write_synthetic(
            tmp / "grid", scenarios=("liu_shaoqi_1951",), reps=10, years=30, households=250, sweep=GRID
        )
        batches["Sobol sample (synthetic)"] = write_synthetic(
            tmp / "sobol", scenarios=("liu_shaoqi_1951",), reps=1, years=30, households=250, sweep=SOBOL
        )
        rows = []
        for name, path in batches.items():
            plot = [timed(["plot", str(path), "--out", str(tmp / "charts")]) for _ in range(args.repeat)]
            report = [timed(["report", str(path), "-o", str(tmp / "report.html")]) for _ in range(args.repeat)]
            n_charts = len(list((tmp / "charts").iterdir()))
            size = (tmp / "report.html").stat().st_size / 1e6
            rows.append((name, n_charts, _median(plot), _median(report), size))
            for p in (tmp / "charts").iterdir():
                p.unlink()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{args.repeat} run(s) each, median; load average at the end {load:.1f} on {os.cpu_count()} cores\n")
    print("wall-clock seconds, with CPU seconds (user + system) in brackets\n")
    print("| batch (1,000 runs) | charts | `huzhu plot` (target 10 s) | `huzhu report` (target 20 s) | report size |")
    print("|---|---|---|---|---|")
    for name, n, p, r, s in rows:
        print(f"| {name} | {n} | {p[0]:.1f} s ({p[1]:.1f} s CPU) | {r[0]:.1f} s ({r[1]:.1f} s CPU) | {s:.1f} MB |")


def _median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


if __name__ == "__main__":
    main()
