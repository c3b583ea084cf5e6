"""The `huzhu` command line: one parser, each package adds its own subcommands.

Subcommands live next to what they drive: `scenarios.commands` (demo, params,
scenarios, show, validate, run), `analysis.commands` (plot, report), `analysis.exercises` (exercises) and the app's
launcher (`scenarios.appcmd`). Each module has a `register(subparsers)` that adds
its parsers and sets `func`; `func(args)` returns the exit code.

Exit codes: 0 success, 2 bad input (a clear message on stderr), 1 anything else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from model.params import ParameterError

COMMAND_MODULES = ("scenarios.commands", "analysis.commands", "analysis.exercises", "scenarios.appcmd")


class InputError(Exception):
    """Bad input from the user: printed without a traceback, exit code 2."""


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
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name == name:  # that part of the CLI is not built yet
                continue
            raise
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
    except (InputError, ParameterError) as err:
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


if __name__ == "__main__":
    # `python -m scenarios.cli` runs this file as __main__; the commands raise the InputError of the
    # imported `scenarios.cli`, so run that module's main for them to be caught as bad input
    from scenarios.cli import main as package_main

    sys.exit(package_main())
