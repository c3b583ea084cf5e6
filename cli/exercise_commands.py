"""`huzhu exercises`: list the class exercises, check or regenerate their instructor keys."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from analysis import exercises
from cli.command import add_command, arg, one_of
from model.errors import InputError


def register(subparsers) -> None:
    """Add the `exercises` command to the `huzhu` parser."""
    add_command(
        subparsers,
        "exercises",
        "list the class exercises, check or regenerate their instructor keys",
        "huzhu exercises --list            the exercises, their length and runs\n"
        "huzhu exercises --check           rerun every key's runs; exit 1 if a published number is off\n"
        "huzhu exercises --regenerate      rerun and rewrite the keys (keys.json and the key blocks)",
        [
            one_of(
                arg("--list", action="store_true", help="list the exercises (the default)"),
                arg("--regenerate", action="store_true", help="rerun and rewrite the keys"),
                arg(
                    "--check",
                    action="store_true",
                    help="rerun and exit 1 if a published number differs beyond rounding",
                ),
            ),
            arg(
                "--dir",
                metavar="DIR",
                type=Path,
                default=exercises.EXERCISES_DIR,
                help="folder of the exercises (default: docs/exercises of this repository)",
            ),
        ],
        exercises_command,
        description="The class exercises in docs/exercises/. Their instructor keys quote figures from real "
        "runs defined in analysis/exercise_data/ (means with 95% intervals across replications). "
        "Regenerating all keys takes well under a minute on one core.",
    )


def exercises_command(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    if (args.regenerate or args.check) and not (folder / "documents").is_dir():
        raise InputError(f"'{folder}' is not the exercises folder (no documents/ in it); give it with --dir")
    if args.regenerate or args.check:
        t = time.perf_counter()
        fresh = exercises.compute_keys(progress=True)
        print(f"ran the keys of {len(fresh)} exercises in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        if args.regenerate:
            for path in exercises.write_keys(fresh, folder):
                print(f"wrote {path}")
            problems = exercises.check_files(fresh, folder)
        else:
            path = folder / exercises.KEYS_FILE
            published = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            problems = exercises.compare(published, fresh) + exercises.check_files(published or fresh, folder)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 1
        print("every published figure matches a fresh run" if args.check else "keys up to date")
        return 0
    for e in exercises.EXERCISES:
        arms = ", ".join(a.command_name() for a in e.arms)
        print(f"{e.number}. {e.title} ({e.minutes} min)  docs/exercises/{e.file}")
        print(f"   runs: {arms}; {e.reps} replications x {e.years} years")
    return 0
