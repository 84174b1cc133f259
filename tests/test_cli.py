"""The CLI over real study folders: each command through click, and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from studyapp.cli import main
from studyapp.paths import CODEBOOKS_DIR

STUDYAPP = str(Path(sys.executable).parent / "studyapp")


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_every_command_has_help():
    def walk(group, prefix):
        for name, cmd in group.commands.items():
            r = run(*prefix, name, "--help")
            assert r.exit_code == 0 and "Usage:" in r.output, (prefix, name)
            assert cmd.help, f"`studyapp {' '.join(prefix + [name])}` has no help text"
            if hasattr(cmd, "commands"):
                walk(cmd, prefix + [name])

    walk(main, [])


def test_init_coder_status(tmp_path, tiny_codebook):
    d = tmp_path / "s"
    r = run("init", d, "--title", "Defects", "--codebook", tiny_codebook)
    assert r.exit_code == 0, r.output
    assert run("coder", "add", d, "ann", "--role", "lead").exit_code == 0
    assert run("coder", "add", d, "bo").exit_code == 0
    r = run("coder", "add", d, "bo")
    assert r.exit_code == 2 and "already exists" in r.output
    r = run("status", d)
    assert r.exit_code == 0 and "Defects" in r.output and "ann (lead)" in r.output and "tiny" in r.output
    st = json.loads(run("status", d, "--format", "json").output)
    assert st["codebooks"][0]["id"] == "tiny" and {c["name"] for c in st["coders"]} == {"ann", "bo"}
    assert run("coder", "list", d).output.splitlines() == ["ann\tlead", "bo\tcoder"]


def test_init_refuses_an_existing_study_and_status_a_missing_one(tmp_path):
    d = tmp_path / "s"
    assert run("init", d).exit_code == 0
    r = run("init", d)
    assert r.exit_code == 2 and "already holds a study" in r.output
    r = run("status", tmp_path / "missing")
    assert r.exit_code == 2 and "is not a study" in r.output


def test_codebook_validate_ok_and_broken(tmp_path, tiny_codebook):
    r = run("codebook", "validate", tiny_codebook)
    assert r.exit_code == 0 and "ok (tiny v1, 6 fields" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(tiny_codebook.read_text().replace("{id: train, label: Training", "{id: env, label: Training"))
    r = run("codebook", "validate", tiny_codebook, bad)
    assert r.exit_code == 1
    assert f"{bad}:11: field 'stage': duplicate code id 'env' (first defined at line 10)" in r.output


def test_codebook_add_makes_versions(tmp_path, tiny_codebook):
    d = tmp_path / "s"
    run("init", d)
    # The first version of a codebook is "added", whatever other codebooks the study holds (the
    # message once gave the global row id: "stored as version 2" for a first version).
    run("codebook", "add", d, CODEBOOKS_DIR / "ptm-reuse-interviews.yaml")
    assert "tiny v1: added to the study" in run("codebook", "add", d, tiny_codebook).output
    assert "unchanged" in run("codebook", "add", d, tiny_codebook).output
    tiny_codebook.write_text(tiny_codebook.read_text().replace('version: "1"', 'version: "1.1"'))
    assert "tiny v1.1: stored as a new version (2 versions of tiny" in run("codebook", "add", d, tiny_codebook).output
    assert "2 stored version(s)" in run("codebook", "list", d).output


def test_real_process_exit_codes_and_messages(tmp_path, tiny_codebook):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\ntitle: X\nversion: '1'\nkind: nonsense\nfields: []\n")
    p = subprocess.run([STUDYAPP, "codebook", "validate", str(bad)], capture_output=True, text=True)
    assert p.returncode == 1
    assert f"{bad}:4: codebook: kind 'nonsense' is not one of slr, interview, defect, any" in p.stderr
    p = subprocess.run([STUDYAPP, "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and "studyapp" in p.stdout


def test_serve_stops_its_server_when_it_is_stopped(study):
    """`studyapp serve` runs Streamlit as a child: a SIGTERM to it (a supervisor, a test) stops both."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "studyapp"), "serve", str(study.folder), "--port",
                             str(port), "--no-auth"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(url, timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the server did not come up")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=1)
                time.sleep(0.3)
            except OSError:
                break
        else:
            raise AssertionError("the Streamlit server is still answering after `studyapp serve` stopped")
    finally:
        if proc.poll() is None:
            proc.kill()
