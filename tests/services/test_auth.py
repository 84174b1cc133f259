"""Sign-in: scrypt password hashes, invite tokens, one message for every failure, roles enforced."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studyapp.errors import PermissionDenied, StudyError
from studyapp.services.study import auth
from studyapp.services.study.auth import (
    check_password,
    create_invite,
    hash_password,
    set_password,
    sign_in,
    sign_in_with_token,
)


def test_hash_is_salted_scrypt_and_checks():
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a.startswith(f"scrypt${auth.POLICY.scrypt_n}$8$1$") and a != b
    assert check_password("correct horse", a) and not check_password("wrong horse", a)
    assert not check_password("x", None)


def test_sign_in_and_failures_say_the_same(study):
    set_password(study, "bob", "bob-password")
    assert sign_in(study, "bob", "bob-password")["name"] == "bob"
    msgs = set()
    for name, pw in (("bob", "nope-nope"), ("nobody", "bob-password"), ("chen", "anything!")):
        with pytest.raises(PermissionDenied) as e:
            sign_in(study, name, pw)
        msgs.add(str(e.value))
    assert len(msgs) == 1
    assert "bob-password" not in str(study.query("SELECT * FROM coders")) 
    assert any(h["action"] == "coder.sign_in" for h in study.history.recent(5))


def test_only_a_lead_or_oneself_sets_a_password(study):
    set_password(study, "bob", "bob-password", actor="bob")
    set_password(study, "bob", "new-password", actor="lea")
    with pytest.raises(PermissionDenied):
        set_password(study, "bob", "chen-sets-it", actor="chen")
    with pytest.raises(StudyError):
        set_password(study, "bob", "short")


def test_invite_token_signs_in_once_stored_hashed(study):
    token = create_invite(study, "chen", actor="lea")
    assert token not in str(study.query("SELECT * FROM coders"))
    assert sign_in_with_token(study, token)["name"] == "chen"
    create_invite(study, "chen", actor="lea")
    with pytest.raises(PermissionDenied):
        sign_in_with_token(study, token)  # replaced by the new one
    with pytest.raises(PermissionDenied):
        create_invite(study, "bob", actor="chen")


def test_cli_password_and_invite(study):
    folder = str(study.folder)
    out = subprocess.run([sys.executable, "-m", "studyapp", "coder", "password", folder, "bob", "--password-stdin"],
                         input="a-long-password\n", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert sign_in(study, "bob", "a-long-password")
    out = subprocess.run([sys.executable, "-m", "studyapp", "coder", "invite", folder, "chen", "--url",
                          "http://lab:8501"], capture_output=True, text=True, timeout=60)
    token = out.stdout.strip().split("token=")[1]
    assert sign_in_with_token(study, token)["name"] == "chen"
