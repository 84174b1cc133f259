"""The root `studyapp` click group and the helper that turns `StudyError`s into clear exits."""

from __future__ import annotations

import functools
import sqlite3
import sys

import click

from studyapp import __version__
from studyapp.errors import StudyError
from studyapp.files import system_error


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="studyapp")
def main() -> None:
    """studyapp: a mixed-methods study workbench (papers, interviews, defects, agreement, claims)."""


@main.group("import")
def import_group() -> None:
    """Bring data into a study: papers, transcripts, defects, existing labels, QDA projects."""


def by_option(fn):
    """`--by NAME`: who acts, for the history and the role check (a coder who is not a lead is refused
    where only a lead may act). Without it the command acts as `cli`: whoever holds the study folder."""
    return click.option("--by", "actor", default="cli", show_default=True, metavar="NAME",
                        help="Who does this (recorded in the history); a coder who is not a lead is refused.")(fn)


def reports_errors(fn):
    """Turn a `StudyError` into `error: <file:line: message>` on stderr and exit status 2 (an
    `OSError` or SQLite's "disk is full" too: `files.system_error`)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StudyError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)
        except (OSError, sqlite3.OperationalError) as e:  # disk full, permissions: a message, not a traceback
            click.echo(f"error: {system_error(e)}", err=True)
            sys.exit(2)

    return wrapper
