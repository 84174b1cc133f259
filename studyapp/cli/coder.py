"""`studyapp coder ...`: the study's coders, their roles, and how they sign in (password, invite link)."""

from __future__ import annotations

import sys

import click

from studyapp.cli.app import main, reports_errors
from studyapp.services.study import study as study_service
from studyapp.store import Store


@main.group("coder")
def coder_group() -> None:
    """Manage the coders of a study."""


@coder_group.command("add")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.option("--role", type=click.Choice(["coder", "lead"]), default="coder", show_default=True)
@reports_errors
def coder_add_cmd(folder: str, name: str, role: str) -> None:
    """Add coder NAME to the study in FOLDER."""
    study_service.add_coder(folder, name, role, actor="cli")
    click.echo(f"added {role} {name!r}")


@coder_group.command("list")
@click.argument("folder", type=click.Path(file_okay=False))
@reports_errors
def coder_list_cmd(folder: str) -> None:
    """List the coders of the study in FOLDER."""
    with Store.open(folder) as store:
        for c in store.coders.list():
            click.echo(f"{c['name']}\t{c['role']}")


@coder_group.command("password")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@reports_errors
def coder_password_cmd(folder: str, name: str, password_stdin: bool) -> None:
    """Set coder NAME's sign-in password (stored as a salted scrypt hash)."""
    from studyapp.services.study.auth import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
    with Store.open(folder) as store:
        set_password(store, name, password)
    click.echo(f"password set for {name!r}")


@coder_group.command("invite")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@click.option("--url", default="http://127.0.0.1:8501", show_default=True, help="Where the app is served.")
@reports_errors
def coder_invite_cmd(folder: str, name: str, url: str) -> None:
    """Print a sign-in link for coder NAME (a new link replaces the old one)."""
    from studyapp.services.study.auth import create_invite

    with Store.open(folder) as store:
        token = create_invite(store, name)
    click.echo(f"{url.rstrip('/')}/?token={token}")


@coder_group.command("sign-out")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@reports_errors
def coder_sign_out_cmd(folder: str, name: str) -> None:
    """End every sign-in session of coder NAME (each browser must sign in again)."""
    from studyapp.services.study.auth import sign_out_everywhere

    with Store.open(folder) as store:
        n = sign_out_everywhere(store, name)
    click.echo(f"ended {n} session(s) of {name!r}")


@coder_group.command("unlock")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("name")
@reports_errors
def coder_unlock_cmd(folder: str, name: str) -> None:
    """Forget NAME's failed sign-ins, so NAME need not wait before trying again."""
    from studyapp.services.study.auth import unlock

    with Store.open(folder) as store:
        n = unlock(store, name)
    click.echo(f"forgot {n} failed sign-in(s) of {name!r}")
