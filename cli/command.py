"""The one way a command joins `huzhu`: a name, a line of help, an example, its arguments and a handler.

Every command module has a `register(subparsers)` that calls `add_command` once per
command, so each subcommand's help looks alike: the help line (also the description
unless one is given), the options, then the example(s).

>>> import argparse
>>> sub = argparse.ArgumentParser(prog="huzhu").add_subparsers(dest="command")
>>> p = add_command(sub, "hello", "say hello", "huzhu hello --loud", [arg("--loud", action="store_true")], print)
>>> args = p.parse_args(["--loud"])
>>> args.loud, args.func is print
(True, True)
>>> print(p.epilog)
Example:
  huzhu hello --loud
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# A command's handler: takes the parsed arguments, returns the exit code (0 success, 1 failure).
Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Arg:
    """One argument: what `ArgumentParser.add_argument` takes."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OneOf:
    """Arguments of which at most one may be given (a mutually exclusive group)."""

    args: tuple[Arg, ...]


def arg(*flags: str, **options: Any) -> Arg:
    """An argument, spelled as for `add_argument`: `arg("--reps", type=int, help="...")`."""
    return Arg(flags, options)


def one_of(*args: Arg) -> OneOf:
    """Arguments that exclude each other: `one_of(arg("--list"), arg("--check"))`."""
    return OneOf(args)


def epilog(example: str) -> str:
    """The example block under a command's help: one example, or one a line."""
    lines = example.strip("\n").splitlines()
    head = "Example:" if len(lines) == 1 else "Examples:"
    return head + "\n" + "\n".join("  " + line.strip() for line in lines)


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    help: str,
    example: str,
    arguments: Iterable[Arg | OneOf],
    handler: Handler,
    *,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """Add the subcommand `name` to the `huzhu` parser; `handler(args)` runs it and returns the exit code."""
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description or help[0].upper() + help[1:] + ".",
        epilog=epilog(example),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for a in arguments:
        if isinstance(a, OneOf):
            group = parser.add_mutually_exclusive_group()
            for member in a.args:
                group.add_argument(*member.flags, **member.options)
        else:
            parser.add_argument(*a.flags, **a.options)
    parser.set_defaults(func=handler)
    return parser
