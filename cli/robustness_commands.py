"""`huzhu robustness` and `huzhu sobol`: how far the taught findings and the main outcomes depend on the
behavioural parameters no document fixes (their priors: analysis/calibration_data/priors.toml).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="huzhu")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["robustness", "--draws", "2", "--reps", "1"])
>>> args.draws, args.reps, args.install
(2, 1, False)
>>> parser.parse_args(["sobol", "--n", "8"]).n
8
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.command import add_command, arg
from model.errors import InputError

# The defaults of analysis.robustness, repeated so that `huzhu --help` imports no model (tested equal).
DEFAULT_DRAWS, DEFAULT_REPS, DEFAULT_SEED = 100, 16, 1951
DEFAULT_ROBUSTNESS_OUT = Path("outputs/robustness")
DEFAULT_SOBOL_OUT = Path("outputs/sobol")


def _whole(name: str, low: int):
    """An argparse type: a whole number of at least `low`, or an error naming the option."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} {text!r}: expected a whole number of at least {low}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{name} {value}: expected a whole number of at least {low}")
        return value

    return parse


def register(subparsers) -> None:
    """Add the `robustness` and `sobol` commands to the `huzhu` parser."""
    add_command(
        subparsers,
        "robustness",
        "count in how many plausible parameter settings each taught finding holds",
        "huzhu robustness                          100 draws, counts in outputs/robustness/robustness.toml\n"
        "huzhu robustness --draws 10 --only 1 4    a quick look at exercises 1 and 4\n"
        "huzhu robustness --install                write the counts the keys and the report show",
        [
            arg(
                "--draws",
                type=_whole("--draws", 1),
                default=DEFAULT_DRAWS,
                metavar="N",
                help=f"plausible parameter settings (default {DEFAULT_DRAWS})",
            ),
            arg(
                "--reps",
                type=_whole("--reps", 1),
                default=DEFAULT_REPS,
                metavar="R",
                help=f"replications of each scenario per setting (default {DEFAULT_REPS})",
            ),
            arg(
                "--seed",
                type=int,
                default=DEFAULT_SEED,
                help=f"master seed of the draws and runs (default {DEFAULT_SEED})",
            ),
            arg(
                "--years",
                type=_whole("--years", 1),
                metavar="Y",
                help="cap every run at Y years (quick checks; findings about later years then fail)",
            ),
            arg("--only", nargs="+", metavar="EXERCISE", help="only these exercises (numbers or names) or 'positions'"),
            arg("--workers", type=_whole("--workers", 1), default=2, help="local worker processes (default 2)"),
            arg(
                "--out",
                type=Path,
                metavar="DIR",
                default=DEFAULT_ROBUSTNESS_OUT,
                help=f"folder for robustness.toml and the per-draw table (default {DEFAULT_ROBUSTNESS_OUT})",
            ),
            arg(
                "--install",
                action="store_true",
                help="write robustness.toml into analysis/exercise_data (the keys and the report read it)",
            ),
        ],  # fmt: skip
        robustness_command,
        description="For each finding an exercise's key teaches ([[findings]] in analysis/exercise_data/NN_*.toml)\n"
        "and each comparison of the five 1951 positions the report states (positions_findings.toml),\n"
        "count the plausible parameter settings in which it holds: draws of the ten behavioural\n"
        "parameters from the calibrated posterior when installed, otherwise uniform from their priors.\n"
        "Findings holding in fewer than 80% of the draws are flagged 'rewrite this finding'.\n"
        "See docs/validation.md, Robustness.",
    )
    add_command(
        subparsers,
        "sobol",
        "rank the behavioural parameters by their Sobol indices for the main outcomes",
        "huzhu sobol                       N = 64 base samples (64 x 22 runs), table and chart in outputs/sobol\n"
        "huzhu sobol --n 128 --seed 7      a larger sample",
        [
            arg(
                "--n",
                type=_whole("--n", 2),
                default=64,
                metavar="N",
                help="Saltelli base samples, a power of 2 of at least 64 (default 64)",
            ),
            arg("--seed", type=int, default=1951, help="seed of the sample and of the runs (default 1951)"),
            arg(
                "--scenario", default="liu_shaoqi_1951", help="scenario whose levers are kept (default liu_shaoqi_1951)"
            ),
            arg(
                "--reps",
                type=_whole("--reps", 1),
                default=8,
                metavar="R",
                help="replications at each sample point, averaged (default 8: with fewer, one village's noise "
                "swamps the indices)",
            ),
            arg("--workers", type=_whole("--workers", 1), default=2, help="local worker processes (default 2)"),
            arg(
                "--out",
                type=Path,
                metavar="DIR",
                default=DEFAULT_SOBOL_OUT,
                help=f"folder for the runs, the table and the chart (default {DEFAULT_SOBOL_OUT})",
            ),
        ],  # fmt: skip
        sobol_command,
        description="Saltelli's sample over the priors' ranges of the ten behavioural parameters, run with the\n"
        "batch runner; first-order and total Sobol indices (SALib) with 95% confidence half-widths for\n"
        "the main outcomes, a table ranked by total effect (sobol_ranking.csv) and a bar chart (sobol.png).",
    )


def robustness_command(args: argparse.Namespace) -> int:
    from analysis import robustness as rb

    r = rb.run_robustness(
        draws=args.draws,
        reps=args.reps,
        seed=args.seed,
        workers=args.workers,
        only=args.only,
        years=args.years,
    )
    written = rb.write(r, args.out, install=args.install)
    print(rb.summary(r))
    print(f"\n{r.seconds:.0f} s; written: {', '.join(str(p) for p in written)}")
    if args.install:
        print("the keys show the new counts after `huzhu exercises --regenerate`")
    return 0


def sobol_command(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from analysis import sensitivity
    from scenarios.schema import MIN_SOBOL_SAMPLES

    if args.n & (args.n - 1) or args.n < MIN_SOBOL_SAMPLES:
        raise InputError(
            f"--n {args.n} is not allowed: expected a power of 2 of at least {MIN_SOBOL_SAMPLES} (such as 64, 128; "
            "fewer give indices whose 95% intervals span most of 0 to 1)"
        )
    ranking = sensitivity.run_sobol(
        n=args.n, seed=args.seed, scenario=args.scenario, reps=args.reps, workers=args.workers, out=args.out
    )
    print(sensitivity.format_ranking(ranking.table))
    print(f"\n{ranking.runs} runs in {ranking.seconds:.0f} s; written: {', '.join(str(p) for p in ranking.written)}")
    return 0
