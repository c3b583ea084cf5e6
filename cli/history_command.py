"""`huzhu history`: run the historical-path preset and set it against the historical targets.

The targets are the table in `analysis/targets_data/targets.toml` (docs/validation.md). The
preset runs through the batch runner with replications; the command prints each target's band
beside the simulated mean and its 90% interval across runs, writes a chart of each pattern, and
exits 0 when it ran (with `--strict`, 1 when a comparable target is missed).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="huzhu")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["history", "--reps", "2", "--strict"])
>>> args.preset, args.reps, args.strict
('historical_path_1951_1957', 2, True)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.command import add_command, arg
from model.errors import InputError

DEFAULT_PRESET = "historical_path_1951_1957"
DEFAULT_REPS = 20


def register(subparsers) -> None:
    """Add the `history` command to the `huzhu` parser."""
    add_command(
        subparsers,
        "history",
        "run the historical path and set it against the historical targets",
        "huzhu history                                   20 runs of historical_path_1951_1957, table and charts\n"
        "huzhu history --reps 50 --out outputs/history --strict   exit 1 if a target is missed\n"
        "huzhu history --results outputs/history         the table and charts of a run made before",
        [
            arg(
                "preset",
                nargs="?",
                default=DEFAULT_PRESET,
                metavar="PRESET",
                help=f"historical preset or .toml file (default {DEFAULT_PRESET})",
            ),  # fmt: skip
            arg("--reps", type=int, default=DEFAULT_REPS, help=f"replications (default {DEFAULT_REPS})"),
            arg("--out", type=Path, metavar="DIR", help="results directory (default: outputs/runs/NAME-TIME)"),
            arg("--results", type=Path, metavar="DIR", help="read a results directory instead of running"),
            arg("--targets", type=Path, metavar="FILE", help="a targets table (default: the one shipped)"),
            arg("--workers", type=int, help="local worker processes (default: number of cores)"),
            arg("--strict", action="store_true", help="exit 1 when a comparable target is missed"),
            arg("--quiet", action="store_true", help="no progress bar"),
        ],
        history_command,
        description="Run a historical preset (default historical_path_1951_1957) with replications and\n"
        "set each target of the targets table against the quantity its row defines: the band,\n"
        "the simulated mean with the 5th-95th percentiles across runs, and within/outside.\n"
        "Charts (one PNG a pattern: the band against the simulated spread over the years) go\n"
        "to DIR/validation/. Targets that one village cannot be compared with are listed, not\n"
        "scored. 'huzhu report DIR' adds the same table to its report. See docs/validation.md.",
    )


def history_command(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from analysis import targets as targets_mod
    from analysis import validation
    from scenarios.results import read_results
    from scenarios.runner import run

    table = targets_mod.load(args.targets)  # a broken table fails before anything runs
    if args.results is not None:
        res = read_results(args.results)
    else:
        if args.reps is not None and args.reps < 2:
            raise InputError(f"--reps {args.reps} is not allowed: the interval across runs needs at least 2")
        res = run(args.preset, out=args.out, reps=args.reps, workers=args.workers, progress=not args.quiet)
    rows = validation.outcomes(res, table)
    print(f"{res.n_runs} runs of {', '.join(res.scenarios)}, {res.years[0]}-{res.years[-1]} ({res.path})\n")
    print(validation.format_table(rows))
    out = res.path / "validation"
    written = validation.write_charts(res, rows, out)
    print(f"\n{len(written)} charts in {out}")
    missed = [o.target.id for o in rows if o.missed]
    if args.strict and missed:
        print(f"missed: {', '.join(missed)}")
        return 1
    return 0
