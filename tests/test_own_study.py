"""The README's "Your own study" path works as written: every command in its block runs, the study
can be signed in to, it has something to screen, code and label, and git ignores the study folder."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.study.auth import sign_in
from studyapp.store import Store

REPO = Path(__file__).resolve().parents[1]
STUDYAPP = str(Path(sys.executable).parent / "studyapp")


def readme_commands() -> list[str]:
    """The `studyapp ...` lines of the README's own-study block, with line continuations joined."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Your own study"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    block = re.sub(r"\\\n\s*", " ", block)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip().startswith(("studyapp", "S="))]


def test_the_own_study_path_of_the_readme_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    study = tmp_path / "studies" / "ptm-reuse"
    runner = CliRunner()
    commands = readme_commands()
    assert commands[0].startswith("S=") and any("coder password" in c for c in commands)
    served = []
    for line in commands[1:]:
        args = shlex.split(line.replace("$S", str(study)))[1:]
        if args[0] == "serve":
            served.append(args)  # the browser test serves it; here: the folder must be a study
            continue
        if args[:2] == ["import", "transcripts"]:  # the shell would expand the glob
            pattern = args.pop(3)
            args[3:3] = sorted(str(p) for p in REPO.glob(pattern))
        r = runner.invoke(main, args, input="a-Strong-pw-1\na-Strong-pw-1\n")
        assert r.exit_code == 0, (line, r.output)
    assert served and Store.exists(study)
    with Store.open(study) as store:
        assert sign_in(store, "alice", "a-Strong-pw-1")["name"] == "alice"
        counts = store.units.count_by_kind()
        assert counts["paper"] >= 10 and counts["segment"] > 0 and counts["defect"] > 0
        kinds = {row["kind"] for row in store.codebooks.list_latest()}
        assert {"slr", "interview", "defect"} <= kinds  # Papers -> Screen has its SLR codebook
    assert (study / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_git_ignores_a_study_made_inside_a_repository(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    r = CliRunner().invoke(main, ["init", str(repo / "my-study")])
    assert r.exit_code == 0, r.output
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert status == ""  # nothing of the study would be committed


def test_serve_on_a_busy_port_fails_at_once_without_claiming_to_serve(tmp_path):
    CliRunner().invoke(main, ["init", str(tmp_path / "s")])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run([STUDYAPP, "serve", str(tmp_path / "s"), "--port", str(port)],
                           capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in p.stderr and "serving" not in p.stdout
