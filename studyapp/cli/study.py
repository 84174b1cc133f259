"""Study commands: init, serve, demo, coder add, status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from studyapp.cli.app import main, reports_errors
from studyapp.paths import DEMO_STUDY, PACKAGE_DIR, REPO_ROOT
from studyapp.services import study as study_service
from studyapp.store import Store


@main.command("init")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--title", help="Study title (default: the folder name).")
@click.option("--codebook", "codebooks", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A codebook YAML to add (repeatable).")
@reports_errors
def init_cmd(folder: str, title: str | None, codebooks: tuple[str, ...]) -> None:
    """Create a new, empty study in FOLDER."""
    store = study_service.init_study(folder, title=title, codebooks=list(codebooks), actor="cli")
    click.echo(f"created study {store.title!r} in {folder} ({len(codebooks)} codebook(s))")


def serve_study(folder: Path, port: int, host: str) -> int:
    """Run the Streamlit app on the study in `folder` until interrupted; returns its exit status."""
    app = PACKAGE_DIR / "ui" / "app.py"
    env = dict(os.environ, STUDYAPP_STUDY=str(folder.resolve()))
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", host, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    click.echo(f"serving {folder} on http://{host}:{port}  (Ctrl+C to stop)")
    try:
        return subprocess.call(cmd, env=env, cwd=REPO_ROOT if (REPO_ROOT / ".streamlit").is_dir() else None)
    except KeyboardInterrupt:
        return 0


@main.command("serve")
@click.argument("folder", required=False, type=click.Path(file_okay=False), default=".")
@click.option("--port", default=8501, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@reports_errors
def serve_cmd(folder: str, port: int, host: str) -> None:
    """Start the browser app on the study in FOLDER (default: the current folder)."""
    Store.open(folder).close()
    sys.exit(serve_study(Path(folder), port, host))


@main.command("demo")
@click.argument("folder", required=False, type=click.Path(file_okay=False), default=str(DEMO_STUDY))
@click.option("--no-serve", is_flag=True, help="Only build the demo study; do not start the app.")
@click.option("--rebuild", is_flag=True, help="Throw away an existing demo study and build it anew.")
@click.option("--port", default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@reports_errors
def demo_cmd(folder: str, no_serve: bool, rebuild: bool, port: int, host: str) -> None:
    """Build the demo study in FOLDER (default: data/demo-study) and serve it unless --no-serve."""
    from studyapp.services.demo import build_demo

    existed = Store.exists(folder) and not rebuild
    path = build_demo(folder, rebuild=rebuild)
    click.echo(f"{'using the existing' if existed else 'built the'} demo study in {path}")
    if not no_serve:
        sys.exit(serve_study(path, port, host))


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


@main.command("status")
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def status_cmd(folder: str, fmt: str) -> None:
    """Counts and progress per coder and field of the study in FOLDER."""
    with Store.open(folder) as store:
        st = study_service.status(store)
    if fmt == "json":
        click.echo(json.dumps(st, indent=2, default=str))
        return
    click.echo(f"{st['title']}  ({st['path']})")
    click.echo("units: " + (", ".join(f"{k} {v}" for k, v in sorted(st["units"].items())) or "none"))
    click.echo("coders: " + (", ".join(f"{c['name']} ({c['role']})" for c in st["coders"]) or "none"))
    click.echo(f"annotations {st['annotations']}, final values {st['finals']}, memos {st['memos']},"
               f" claims {st['claims']}, history entries {st['history']}")
    for cb in st["codebooks"]:
        click.echo(f"\ncodebook {cb['id']} v{cb['version']} ({cb['kind']}): {cb['title']}")
        rows = [p for p in st["progress"] if p["codebook"] == cb["id"]]
        coders = sorted({p["coder"] for p in rows})
        if not coders:
            continue
        click.echo("  " + "field".ljust(24) + "".join(c[:10].rjust(12) for c in coders))
        for fid in dict.fromkeys(p["field"] for p in rows):
            cells = {p["coder"]: p for p in rows if p["field"] == fid}
            click.echo("  " + fid[:24].ljust(24) + "".join(
                f"{cells[c]['coded']}/{cells[c]['units']}".rjust(12) for c in coders))
