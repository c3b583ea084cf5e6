"""The scenario commands of `huzhu`: demo, params, scenarios, show, run, validate."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

from cli.command import add_command, arg
from model.errors import InputError
from model.metrics import CLASS_SHARES
from model.params import NAMES, allowed, field_info, make_params, reference_markdown
from scenarios import store
from scenarios.checks import check_options
from scenarios.loader import SIZE_KEYS, exercise_scenario_names, find, load, load_file, preset_names
from scenarios.runner import CLI_NAMES, default_out, execute, plan_batch, run

# How `huzhu run` spells the runner's options in its messages.
RUN_FLAGS = {**CLI_NAMES, "workers": "--workers", "chunk_runs": "--chunk", "dask": "--dask", "out": "--out"}

DEMO_OUT = Path("outputs") / "demo"
DEMO_REPS = 5
DEMO_SEED = 1951


def register(subparsers) -> None:
    """Add the scenario commands to the `huzhu` parser."""
    add_command(
        subparsers,
        "demo",
        "simulate the default village for 30 years, then run the four 1951 positions and the high-tide counterfactual",
        "huzhu demo    (results in outputs/demo/)",
        [arg("--workers", type=int, default=None, help="processes for the preset runs (default: all cores)")],
        cmd_demo,
    )
    add_command(
        subparsers,
        "params",
        "list every model parameter with its default, unit, allowed values and meaning",
        "huzhu params --markdown > docs/parameters.md",
        [arg("--markdown", action="store_true", help="print the Markdown reference (docs/parameters.md)")],
        cmd_params,
    )
    add_command(
        subparsers,
        "scenarios",
        "list the preset scenarios with one-line descriptions",
        "huzhu scenarios",
        [],
        cmd_scenarios,
    )
    add_command(
        subparsers,
        "show",
        "show a scenario as resolved: sizes, parameters with units and the passage each value encodes",
        "huzhu show shanxi_committee_1951",
        [
            arg("scenario", metavar="SCENARIO", help="a preset name or a .toml file"),
            arg("--all", action="store_true", help="list every parameter, not only those the scenario sets"),
        ],
        cmd_show,
    )
    add_command(
        subparsers,
        "run",
        "run scenarios (replications, sweeps) into a results directory of Parquet files",
        "huzhu run liu_shaoqi_1951 shanxi_committee_1951 --reps 20 --out outputs/liu-vs-shanxi\n"
        "huzhu run my_sweep.toml --dask tcp://scheduler:8786 --out /scratch/sweep   (on a cluster)\n"
        "huzhu run my_sweep.toml --out /scratch/sweep --resume                      (finish a killed batch)",
        [
            arg("scenarios", nargs="+", metavar="SCENARIO", help="preset names or .toml files"),
            arg("--reps", type=int, help="replications per parameter point (overrides the files)"),
            arg("--years", type=int, help="years to simulate (overrides the files)"),
            arg("--seed", type=int, help="master seed (overrides the files)"),
            arg("--out", type=Path, help="results directory (default: outputs/runs/NAME-TIME)"),
            arg("--workers", type=int, help="local worker processes (default: number of cores; 1 = this process)"),
            arg("--dask", metavar="ADDRESS", help="a Dask scheduler address (tcp://host:8786), or 'local'"),
            arg("--resume", action="store_true", help="complete an interrupted batch in --out"),
            arg("--chunk", type=int, metavar="RUNS", help="runs per part file (default: sized to the runs)"),
            arg("--quiet", action="store_true", help="no progress bar"),
            arg(
                "--ignore-memory",
                action="store_true",
                help="run even when the models' estimated memory exceeds what this machine has available",
            ),
        ],
        cmd_run,
    )
    add_command(
        subparsers,
        "validate",
        "check scenario files against the schema without running them",
        "huzhu validate my_scenario.toml scenarios/presets/*.toml",
        [arg("files", nargs="+", metavar="FILE", help="scenario files (.toml) or preset names")],
        cmd_validate,
    )


# --- params, scenarios, show, validate ------------------------------------------------


def _fmt(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def cmd_params(args) -> int:
    if args.markdown:
        print(reference_markdown(), end="")
        return 0
    group = None
    for name in NAMES:
        info = field_info(name)
        if info["group"] != group:
            group = info["group"]
            print(f"\n[{group}]")
        unit = f" {info['unit']}" if info["unit"] else ""
        print(f"  {name} = {_fmt(info['default'])}{unit}   ({allowed(name)})")
        print(textwrap.fill(info["meaning"], 100, initial_indent="      ", subsequent_indent="      "))
    return 0


def _first_sentence(text: str) -> str:
    head = text.split(". ")[0].rstrip(".")
    return head if len(head) <= 110 else head[:107].rstrip() + "..."


def cmd_scenarios(args) -> int:
    names = preset_names()
    width = max(len(n) for n in names)
    for name in names:
        sc = load(name)
        print(f"{name:<{width}}  {_first_sentence(sc.description)}")
    print("\nThe class exercises' scenarios (see docs/exercises/), also run by name:")
    print("  " + ", ".join(exercise_scenario_names()))
    print("\nShow one with 'huzhu show NAME'; run them with 'huzhu run NAME...'.")
    return 0


def cmd_show(args) -> int:
    sc = load(args.scenario)
    p = sc.params
    print(f"{sc.name}  ({sc.source}{', extends ' + ' -> '.join(sc.lineage[:-1]) if len(sc.lineage) > 1 else ''})")
    print(textwrap.fill(sc.description, 100, initial_indent="  ", subsequent_indent="  "))
    print(
        f"\n  years {sc.years} ({sc.start_year}-{sc.start_year + sc.years - 1}), villages {p.villages}, "
        f"households {p.households}, replications {sc.replications}, seed {sc.seed}, runs {sc.n_runs}"
    )
    if sc.sweep:
        sw = sc.sweep
        print(f"  sweep: {sw.kind}, {sc.n_points} points")
        for name, spec in sw.parameters.items():
            desc = f"{spec.min} to {spec.max}" if hasattr(spec, "min") else ", ".join(_fmt(v) for v in spec)
            print(f"    {name}: {desc}")
        for name in sc.shadowed:
            print(f"    note: {name} is also set in [parameters]; the sweep's values win, that value is not used")
    # sizes are on the line above; the list is of what the scenario sets
    names = list(NAMES) if args.all else [n for n in NAMES if n in sc.overrides and n not in SIZE_KEYS]
    print(
        "\nParameters"
        + ("" if args.all else " set by the scenario (others at the schema's defaults; --all lists them)")
    )
    for name in names:
        info = field_info(name)
        value = getattr(p, name)
        unit = f" {info['unit']}" if info["unit"] else ""
        mark = "" if name in sc.overrides else "   (default)"
        if name in sc.swept:
            mark += "   (swept: the sweep's values are used, not this one)"
        print(f"  {name} = {_fmt(value)}{unit}{mark}")
        prov = sc.provenance_of(name)
        if prov and (name in sc.overrides or args.all):
            origin = "" if prov["from"] == "scenario" else "  [schema]"
            if prov.get("passage"):
                print(
                    textwrap.fill(
                        f'"{prov["passage"]}"',
                        100,
                        initial_indent="      ",
                        subsequent_indent="       ",
                        break_on_hyphens=False,
                    )
                )
            print(f"      - {prov['document']}{origin}")
            if prov.get("note"):
                print(f"      ({prov['note']})")
    return 0


def cmd_validate(args) -> int:
    problems = []
    for ref in args.files:
        try:
            path = find(ref)
            sc = load_file(path, preset=False)
        except InputError as err:
            problems.append(str(err))
            continue
        print(f"ok  {path}: {sc.name}, {sc.n_points} point(s) x {sc.replications} replications = {sc.n_runs} runs")
        for name in sc.shadowed:
            print(f"    note: {name} is set in [parameters] and swept; the sweep's values win")
    if problems:
        raise InputError("\n".join(problems))
    return 0


# --- run -------------------------------------------------------------------------------


def _where(path: Path) -> str:
    return (
        f"Results: {path}/\n"
        f"  runs/*.parquet        one row per run, village and year (pd.read_parquet('{path}/runs'))\n"
        f"  households/*.parquet  household states of the first 10 replicates at the first, middle and last year\n"
        f"  manifest.json         the scenarios as resolved, versions, the model's code, each part's checksum\n"
        f"  In Python: scenarios.read_results('{path}').frame()"
    )


def cmd_run(args) -> int:
    check_options(RUN_FLAGS, workers=args.workers, chunk_runs=args.chunk, dask=args.dask)
    if args.resume and args.out is None:
        raise InputError("--resume needs --out DIR, the folder of the batch to finish")
    loaded = [load(ref) for ref in args.scenarios]
    plan = plan_batch(loaded, reps=args.reps, years=args.years, seed=args.seed, chunk_runs=args.chunk, names=CLI_NAMES)
    out = args.out or default_out(plan.scenarios)
    manifest = execute(
        plan,
        out,
        workers=args.workers,
        dask=args.dask,
        resume=args.resume,
        progress=not args.quiet,
        check_memory=not args.ignore_memory,
    )
    print(f"{manifest['runs_done']} of {manifest['n_runs']} runs of {', '.join(s.name for s in plan.scenarios)} done.")
    print(_where(out))
    if manifest["status"] != "complete":
        for f in manifest["failures"][:5]:
            print(f"failed part {f['part']}: {f['error']}", file=sys.stderr)
        print(f"Some runs failed; fix the cause and finish with: huzhu run ... --out {out} --resume", file=sys.stderr)
        return 1
    return 0


# --- demo ----------------------------------------------------------------------------------


def _village_table(years: int = 30, seed: int = DEMO_SEED) -> None:
    """One default village, a line per year."""
    from model.batch import run_villages  # imported when used: `huzhu --help` stays quick

    villages, _ = run_villages(make_params(), [seed], years)
    cols = ["gini_land", *CLASS_SHARES, "grain_per_head"]
    heads = ["gini_land", "hired", "poor", "middle", "well-off", "rich", "grain/head"]
    print(f"The default village ({make_params().households} households), {years} years, seed {seed}:")
    print("year  " + "  ".join(f"{h:>10}" for h in heads))
    for _, row in villages.sort_values("year").iterrows():
        cells = [f"{row[c]:>10.3f}" if c != "grain_per_head" else f"{row[c]:>10.0f}" for c in cols]
        print(f"{int(row['year'])}  " + "  ".join(cells))


def _clear_demo(out: Path) -> None:
    """Remove the previous demo's results (only a results directory, never other files)."""
    if not out.exists():
        return
    if not (out / store.MANIFEST).is_file():
        if any(out.iterdir()):
            raise InputError(f"'{out}' exists and is not a results directory; move it away to run the demo")
        return
    for name in (store.RUNS, store.HOUSEHOLDS):
        shutil.rmtree(out / name, ignore_errors=True)
    (out / store.MANIFEST).unlink(missing_ok=True)
    (out / "report.html").unlink(missing_ok=True)


def cmd_demo(args) -> int:
    _village_table()
    presets = [
        "shanxi_committee_1951",
        "north_china_bureau_1951",
        "liu_shaoqi_1951",
        "draft_resolution_1951",
        "high_tide_no_exit",
    ]
    print(f"\nRunning the 1951 positions and the high-tide counterfactual, {DEMO_REPS} replications of 30 years each:")
    _clear_demo(DEMO_OUT)
    res = run(presets, out=DEMO_OUT, reps=DEMO_REPS, years=30, workers=args.workers)
    print(_where(res.path))
    from analysis.report import write_report  # imported when used (matplotlib is slow to import)

    path = write_report(res.path, res.path / "report.html")
    print(f"Report: {path}")
    return 0 if res.complete else 1
