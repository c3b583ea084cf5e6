"""`huzhu calibrate`: ABC-SMC of the behavioural parameters against the calibration targets, on Dask.

What is fitted and how is in `analysis.calibration` and docs/validation.md (section
Calibration). The command compiles (or loads) the model's kernels first, then says what it
does at each step: the cluster, each generation's epsilon, acceptance and simulations.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="huzhu")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["calibrate", "--quick", "--seed", "3"])
>>> args.quick, args.seed, args.workers, args.batch_size
(True, 3, 2, 50)
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime
from pathlib import Path

from cli.command import add_command, arg
from model.errors import InputError

DEFAULT_POPULATION = 1000
REPLICATES = 4  # analysis.calibration.REPLICATES (checked by a test; not imported, to keep the CLI's start light)
DEFAULT_GENERATIONS = 10
DEFAULT_SEED = 1951
# --quick: a test-size run (seconds, not minutes): enough to write every output
QUICK = {"population": 20, "generations": 2, "n_draws": 100, "runs_at_median": 4}


def register(subparsers) -> None:
    """Add the `calibrate` command to the `huzhu` parser."""
    add_command(
        subparsers,
        "calibrate",
        "fit the behavioural parameters to the historical targets (ABC-SMC on Dask)",
        "huzhu calibrate --out outputs/calibration              1000 particles x 10 generations, seed 1951\n"
        "huzhu calibrate --quick --out /tmp/cal                   a test-size run writing every output\n"
        "huzhu calibrate --dask tcp://host:8786 --install         on a running scheduler; install the posterior",
        [
            arg(
                "--population",
                type=int,
                default=DEFAULT_POPULATION,
                help=f"particles a generation (default {DEFAULT_POPULATION})",
            ),
            arg(
                "--generations",
                type=int,
                default=DEFAULT_GENERATIONS,
                help=f"generations at most (default {DEFAULT_GENERATIONS}; stops early when every target is met)",
            ),
            arg(
                "--seed", type=int, default=DEFAULT_SEED, help=f"seed of the whole calibration (default {DEFAULT_SEED})"
            ),
            arg(
                "--out", type=Path, metavar="DIR", help="output folder, new or empty (default outputs/calibration-TIME)"
            ),
            arg("--workers", type=int, default=2, help="LocalCluster workers, one thread each (default 2)"),
            arg("--batch-size", type=int, default=50, help="particles a Dask task (default 50)"),
            arg(
                "--replicates",
                type=int,
                default=REPLICATES,
                help=f"villages run per particle, averaged (default {REPLICATES}: the targets are means over runs)",
            ),
            arg(
                "--max-simulations",
                type=int,
                metavar="N",
                help="stop after the generation in which the simulations reach N (default: no limit)",
            ),
            arg(
                "--dask", metavar="ADDRESS", help="a running Dask scheduler (tcp://host:8786) instead of a LocalCluster"
            ),
            arg("--priors", type=Path, metavar="FILE", help="a priors file (default: the one shipped)"),
            arg(
                "--install",
                action="store_true",
                help="copy the posterior draws and summary into analysis/calibration_data/ (the schema's "
                "defaults are that posterior's medians: move them too, see docs/contributing.md)",
            ),
            arg("--quick", action="store_true", help="a test-size run (20 particles, 2 generations)"),
        ],  # fmt: skip
        calibrate_command,
        description="Approximate Bayesian computation (pyabc's ABC-SMC) of the behavioural parameters of\n"
        "analysis/calibration_data/priors.toml on historical_path_1951_1957, against the targets marked\n"
        'use = "calibration" in the targets table; the rows marked "validation" are held out and scored\n'
        "at the posterior. A prior predictive check runs first and says how many prior draws meet each\n"
        "calibration row (a row under 5% is out of reach and belongs in the validation set). Writes to\n"
        "DIR: calibration.db (pyabc's history), posterior.csv, posterior_draws.csv, summary.json,\n"
        "posterior.png, validation.csv and validation.txt. The same --seed gives the same\n"
        "posterior (on workers of one thread each). See docs/validation.md, section Calibration.",
    )


def calibrate_command(args: argparse.Namespace) -> int:
    from analysis import calibration
    from cli import warmup

    priors = calibration.load_priors(args.priors)  # a broken file fails before anything runs
    sizes = dict(QUICK) if args.quick else {"population": args.population, "generations": args.generations}
    if args.quick:
        for name, default in (("population", DEFAULT_POPULATION), ("generations", DEFAULT_GENERATIONS)):
            if getattr(args, name) != default:
                sizes[name] = getattr(args, name)
    for name in ("population", "generations", "workers", "batch_size", "replicates", "max_simulations"):
        value = sizes.get(name, getattr(args, name))
        if value is None:
            continue
        least = 2 if name == "population" else 1
        if value < least:
            raise InputError(
                f"--{name.replace('_', '-')} {value} is not allowed: expected a whole number of at least {least}"
            )
    if args.dask is not None:
        from scenarios.checks import check_dask_address

        check_dask_address(args.dask, "--dask")
    out = args.out or Path("outputs") / f"calibration-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    warmup.warm(sys.stderr)
    result = calibration.calibrate(
        out=out,
        seed=args.seed,
        workers=args.workers,
        batch_size=args.batch_size,
        dask=args.dask,
        replicates=args.replicates,
        max_simulations=args.max_simulations,
        install=args.install,
        priors=priors,
        command=shlex.join(["huzhu", *sys.argv[1:]]) if sys.argv[1:2] == ["calibrate"] else None,
        **sizes,
    )
    s = result.summary
    print(f"{s['simulations']:,} simulations in {s['generations_run']} generation(s), {s['wall_time_s']:.0f} s; "
          f"posterior in {result.out}")  # fmt: skip
    print(f"{'parameter':<26} {'median':>8}  90% interval        prior")
    for name, p in s["parameters"].items():
        print(f"{name:<26} {p['median']:8.3g}  [{p['q05']:.3g}, {p['q95']:.3g}]".ljust(56)
              + f"[{p['prior_low']:g}, {p['prior_high']:g}]")  # fmt: skip
    print()
    print((result.out / "validation.txt").read_text(encoding="utf-8"))
    return 0
