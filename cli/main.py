"""The `huzhu` command line: one parser, to which each command module adds its subcommands.

The commands: `cli.scenario_commands` (demo, params, scenarios, show, run, validate),
`cli.analysis_commands` (plot, report), `cli.history_command` (history), `cli.exercise_commands` (exercises),
`cli.robustness_commands` (robustness, sobol) and `cli.app_command` (app). Each has a
`register(subparsers)` that adds its commands with
`cli.command.add_command`; a command's handler returns the exit code.

Exit codes: 0 success, 2 bad input (a clear message on stderr), 1 anything else
(a results directory that cannot be written says which path and why, and exits 1).
"""

from __future__ import annotations

import argparse
import os
import sys

from cli import (
    analysis_commands,
    app_command,
    calibrate_command,
    exercise_commands,
    history_command,
    robustness_commands,
    scenario_commands,
)
from model.errors import HuzhuError
from scenarios.store import StorageError

# In the order `huzhu --help` lists them.
COMMAND_MODULES = (
    scenario_commands,
    analysis_commands,
    history_command,
    calibrate_command,
    exercise_commands,
    robustness_commands,
    app_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huzhu",
        description="huzhu (互助, mutual aid): simulate North China villages after the land reform, "
        "run the 1951 positions as scenarios, and chart the outcomes.",
        epilog="Example: huzhu demo    (simulate the default village for 30 years)\n"
        "Run 'huzhu COMMAND --help' for each command's options and an example.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except StorageError as err:  # a full disk, a read-only folder: not the user's input, but no traceback
        print(f"huzhu {args.command}: {err}", file=sys.stderr)
        return 1
    except HuzhuError as err:  # bad input: InputError, ParameterError
        print(f"huzhu {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader stopped early (e.g. `huzhu show X | head`): not an error; keep Python from
        # complaining again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
