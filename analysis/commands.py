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

PLOT_EXAMPLE = """examples:
  huzhu plot results/liu                      charts as PNG in results/liu/charts/
  huzhu plot results/liu --format pdf --size slide --metric gini_land share_rich
"""
REPORT_EXAMPLE = """example:
  huzhu report results/liu -o liu.html        one HTML file with the charts inside; open it in any browser
"""


def register(subparsers) -> None:
    """Add the `plot` and `report` subcommands to the `huzhu` parser."""
    p = subparsers.add_parser(
        "plot",
        help="draw the standard charts of a results directory",
        description="Draw the charts that fit a results directory: time series, class composition,\n"
        "teams, co-ops and funds, end-state comparison, Lorenz curves, a village map;\n"
        "heatmaps for a sweep and Sobol indices for a Sobol sample. Metric names and\n"
        "units are listed in model/metrics.py; the guide is docs/charts.md.",
        epilog=PLOT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("results_dir", metavar="RESULTS_DIR", help="folder written by 'huzhu run --out'")
    p.add_argument("--out", metavar="DIR", help="folder for the charts (default: RESULTS_DIR/charts)")
    p.add_argument("--format", choices=("png", "svg", "pdf"), default="png", help="file format (default png)")
    p.add_argument(
        "--metric",
        nargs="+",
        action="extend",
        metavar="NAME",
        help="metrics for the time series, end state and sweep charts (default: a standard six)",
    )
    p.add_argument("--size", choices=("page", "slide"), default="page", help="figure size (default page)")
    p.add_argument(
        "--interval",
        choices=("t", "bootstrap"),
        default="t",
        help="95%% interval across runs: t-interval or percentile bootstrap (default t)",
    )
    p.set_defaults(func=plot_command)

    r = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of a results directory",
        description="Write one HTML file with the scenarios' descriptions and sources, the end-state\n"
        "table with 95% intervals, differences between scenarios and the charts embedded\n"
        "(it opens anywhere: no network and no other files needed).",
        epilog=REPORT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("results_dir", metavar="RESULTS_DIR", help="folder written by 'huzhu run --out'")
    r.add_argument("-o", "--out", metavar="FILE", default="report.html", help="HTML file (default report.html)")
    r.add_argument("--metric", nargs="+", action="extend", metavar="NAME", help="metrics to chart and tabulate")
    r.add_argument(
        "--baseline", metavar="SCENARIO", help="scenario the others are compared with (default: first by name)"
    )
    r.set_defaults(func=report_command)


def _headless() -> None:
    """Draw with Agg: files only, no window, works on servers without a display."""
    import matplotlib

    matplotlib.use("Agg")


def plot_command(args: argparse.Namespace) -> int:
    _headless()
    from analysis import charts
    from analysis.results import load

    res = load(args.results_dir)
    metrics = args.metric or None
    out = Path(args.out) if args.out else Path(args.results_dir) / "charts"
    jobs = list(charts.standard_set(res, metrics, size=args.size, interval=args.interval))
    written = render_all(jobs, out, args.format)
    print(f"{len(written)} charts ({args.format}, {args.size}) in {out}", file=sys.stdout)
    return 0


def render_all(jobs: list, out: Path, fmt: str) -> list[Path]:
    """Draw and save each (name, make) job in turn, closing each figure before the next.

    Serial on purpose: forking a process that holds Arrow-backed frames (and
    Arrow's thread pool) can deadlock, and drawing is quick enough for a batch.
    """
    from analysis import style

    return [style.save(make(), out / name, fmt) for name, make in jobs]


def report_command(args: argparse.Namespace) -> int:
    _headless()
    from analysis.report import write_report

    path = write_report(args.results_dir, args.out, metrics=args.metric or None, baseline=args.baseline)
    print(f"report written to {path}")
    return 0
