"""`huzhu plot` and `huzhu report`: charts and a one-file HTML report of a results directory.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="huzhu")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["plot", "results", "--metric", "gini_land", "--size", "slide"])
>>> args.metric, args.size, args.format
(['gini_land'], 'slide', 'png')
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.command import add_command, arg
from model.errors import InputError
from scenarios import store
from scenarios.results import read_results

RESULTS_DIR = arg("results_dir", metavar="RESULTS_DIR", help="folder written by 'huzhu run --out'")


def register(subparsers) -> None:
    """Add the `plot` and `report` commands to the `huzhu` parser."""
    add_command(
        subparsers,
        "plot",
        "draw the standard charts of a results directory",
        "huzhu plot results/liu                      charts as PNG in results/liu/charts/\n"
        "huzhu plot results/liu --format pdf --size slide --metric gini_land share_rich",
        [
            RESULTS_DIR,
            arg("--out", metavar="DIR", help="folder for the charts (default: RESULTS_DIR/charts)"),
            arg("--format", choices=("png", "svg", "pdf"), default="png", help="file format (default png)"),
            arg(
                "--metric",
                nargs="+",
                action="extend",
                metavar="NAME",
                help="metrics for the time series, end state and sweep charts (default: a standard six)",
            ),
            arg("--size", choices=("page", "slide"), default="page", help="figure size (default page)"),
            arg(
                "--interval",
                choices=("t", "bootstrap"),
                default="t",
                help="95%% interval across runs: t-interval or percentile bootstrap (default t)",
            ),
            arg(
                "--baseline",
                metavar="SCENARIO",
                help="scenario the differences chart subtracts from the others (default: first by name)",
            ),
        ],
        plot_command,
        description="Draw the charts that fit a results directory: time series, class composition,\n"
        "teams (counts and rates), co-ops and funds, cumulative flows, end-state comparison,\n"
        "differences between scenarios year by year, Lorenz curves, a village map;\n"
        "heatmaps for a sweep and Sobol indices for a Sobol sample. Metric names and\n"
        "units are listed in model/metrics.py; the guide is docs/charts.md.",
    )
    add_command(
        subparsers,
        "report",
        "write a self-contained HTML report of a results directory",
        "huzhu report results/liu -o liu.html        one HTML file with the charts inside; open it in any browser",
        [
            RESULTS_DIR,
            arg("-o", "--out", metavar="FILE", default="report.html", help="HTML file (default report.html)"),
            arg("--metric", nargs="+", action="extend", metavar="NAME", help="metrics to chart and tabulate"),
            arg(
                "--baseline", metavar="SCENARIO", help="scenario the others are compared with (default: first by name)"
            ),
            arg(
                "--validation",
                action=argparse.BooleanOptionalAction,
                default=None,
                help="add (or leave out) the historical targets (default: for a run of a historical preset)",
            ),
        ],
        report_command,
        description="Write one HTML file with the scenarios' descriptions and sources, the end-state\n"
        "table with 95% intervals, differences between scenarios and the charts embedded\n"
        "(it opens anywhere: no network and no other files needed).",
    )


def _headless() -> None:
    """Draw with Agg: files only, no window, works on servers without a display."""
    import matplotlib

    matplotlib.use("Agg")


def _chart_folder(out: Path) -> Path:
    """The charts' folder, made now: an existing file or an unwritable place is refused in one line."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out '{out}' is a file; give a folder for the charts")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise store.storage_error(out, err, "create") from None
    return out


def plot_command(args: argparse.Namespace) -> int:
    _headless()
    from analysis import charts

    res = read_results(args.results_dir)
    metrics = args.metric or None
    out = _chart_folder(Path(args.out) if args.out else Path(args.results_dir) / "charts")
    jobs = list(charts.standard_set(res, metrics, size=args.size, interval=args.interval, baseline=args.baseline))
    written = render_all(jobs, out, args.format)
    print(f"{len(written)} charts ({args.format}, {args.size}) in {out}", file=sys.stdout)
    return 0


def render_all(jobs: list, out: Path, fmt: str) -> list[Path]:
    """Draw and save each (name, make) job in turn, closing each figure before the next.

    Serial on purpose: forking a process that holds Arrow-backed frames (and
    Arrow's thread pool) can deadlock, and drawing is quick enough for a batch.
    """
    from analysis import style

    written = []
    for name, make in jobs:
        path = out / f"{name}.{fmt}"
        try:
            written.append(style.save(make(), out / name, fmt))
        except OSError as err:  # a full disk leaves no half chart behind that looks whole
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
            raise store.storage_error(path, err) from None
    return written


def report_command(args: argparse.Namespace) -> int:
    _headless()
    from analysis.report import write_report

    path = write_report(
        args.results_dir, args.out, metrics=args.metric or None, baseline=args.baseline, validation=args.validation
    )
    print(f"report written to {path}")
    return 0
