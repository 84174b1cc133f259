"""Study commands: init, serve, demo, coder add, status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from studyapp.cli.app import main, reports_errors
from studyapp.errors import StudyError
from studyapp.paths import DEMO_STUDY, PACKAGE_DIR, REPO_ROOT
from studyapp.services.study import study as study_service
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


def port_free(host: str, port: int) -> bool:
    """Whether nothing listens on (host, port): checked before saying "serving on", so a busy port
    is an error at once rather than a line of success followed by Streamlit's failure."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: Set on the command line, so they hold whatever config.toml the working folder has: coders see a
#: generic message for an unexpected error, never a traceback with server paths (it goes to the log).
SAFE_SERVER_OPTIONS = ("--client.showErrorDetails", "none")


def serve_study(folder: Path, port: int, host: str, *, auth: bool = True) -> int:
    """Run the Streamlit app on the study in `folder` until interrupted; returns its exit status.
    With `auth`, coders sign in (password or invite link); without, one local user picks a coder."""
    if not auth and not is_loopback(host):
        raise StudyError(f"--no-auth serves without sign-in, so only on this machine: --host {host} would let "
                         "anyone on the network code as anyone; drop --no-auth (coders sign in) or serve on "
                         "127.0.0.1")
    app = PACKAGE_DIR / "ui" / "server.py"  # ui/app.py behind the routes that keep a sign-in (cookie)
    env = dict(os.environ, STUDYAPP_STUDY=str(folder.resolve()), STUDYAPP_AUTH="1" if auth else "0")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", host, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal", *SAFE_SERVER_OPTIONS]
    if not port_free(host, port):
        raise StudyError(f"port {port} on {host} is in use (another studyapp or program is serving there):"
                         f" stop it, or pass --port {port + 1}")
    click.echo(f"serving {folder} on http://{host}:{port}  ({'coders sign in' if auth else 'no sign-in'};"
               " Ctrl+C to stop)")
    cwd = REPO_ROOT if (REPO_ROOT / ".streamlit").is_dir() else None
    proc = subprocess.Popen(cmd, env=env, cwd=cwd)

    def stop(signum, _frame) -> None:
        # A supervisor (systemd, a test, kill) stops `studyapp serve`: stop the server with it.
        proc.send_signal(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            proc.terminate()


@main.command("serve")
@click.argument("folder", required=False, type=click.Path(file_okay=False), default=".")
@click.option("--port", default=8501, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-auth", is_flag=True, help="Single-user local mode: no sign-in, pick whom you code as.")
@reports_errors
def serve_cmd(folder: str, port: int, host: str, no_auth: bool) -> None:
    """Start the browser app on the study in FOLDER (default: the current folder). Coders sign in
    with a password (`studyapp coder password`) or an invite link (`studyapp coder invite`)."""
    Store.open(folder).close()
    sys.exit(serve_study(Path(folder), port, host, auth=not no_auth))


@main.command("demo")
@click.argument("folder", required=False, type=click.Path(file_okay=False), default=str(DEMO_STUDY))
@click.option("--no-serve", is_flag=True, help="Only build the demo study; do not start the app.")
@click.option("--rebuild", is_flag=True, help="Throw away an existing demo study and build it anew.")
@click.option("--port", default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-auth", is_flag=True, help="Single-user local mode: no sign-in, pick whom you code as.")
@click.option("--auth", is_flag=True, hidden=True, help="Kept for old scripts: sign-in is on by default.")
@reports_errors
def demo_cmd(folder: str, no_serve: bool, rebuild: bool, port: int, host: str, no_auth: bool, auth: bool) -> None:
    """Build the demo study in FOLDER (default: data/demo-study) and serve it unless --no-serve.
    Coders sign in, as on a lab server; the sign-in page lists the demo's accounts (alice, the lead,
    and the coders bob and chen; passwords NAME-demo)."""
    from studyapp.services.demo.build import build_demo

    if not no_serve and not port_free(host, port):
        raise StudyError(f"port {port} on {host} is in use (another studyapp or program is serving there):"
                         f" stop it, or pass --port {port + 1}")
    existed = Store.exists(folder) and not rebuild
    path = build_demo(folder, rebuild=rebuild)
    click.echo(f"{'using the existing' if existed else 'built the'} demo study in {path}")
    if not no_auth and not no_serve:
        from studyapp.services.study.auth import demo_accounts

        with Store.open(path) as store:
            accounts = demo_accounts(store)
        if accounts:
            click.echo("sign in as " + ", ".join(f"{a['name']} ({a['role']}, password {a['password']})"
                                                 for a in accounts))
        else:
            click.echo("this demo study was built before its sign-in page listed the demo accounts:"
                       " `studyapp demo --rebuild` builds it anew (passwords are NAME-demo)")
    if not no_serve:
        sys.exit(serve_study(path, port, host, auth=not no_auth))


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
