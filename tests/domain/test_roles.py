"""Roles decide in one place (`domain/roles.py`); no other module compares role strings."""

import re
from pathlib import Path

import pytest

from studyapp.domain.roles import Role, is_lead, lead_only, require_lead, sees_all
from studyapp.errors import PermissionDenied


class _Coders:
    def __init__(self, rows):
        self.rows = rows

    def get(self, name):
        return self.rows.get(name)


class _Store:
    def __init__(self):
        self.coders = _Coders({"alice": {"name": "alice", "role": "lead"}, "bob": {"name": "bob", "role": "coder"}})


def test_a_lead_may_what_a_coder_may_not():
    s = _Store()
    lead, coder, nobody = Role.of(s, "alice"), Role.of(s, "bob"), Role.of(s, None)
    for can in ("can_adjudicate", "can_open_reconciliation", "can_import", "can_export", "can_edit_codebooks",
                "can_validate_claims", "can_manage_coders", "can_see_all_values"):
        assert getattr(lead, can) and not getattr(coder, can) and not getattr(nobody, can), can
    assert nobody.holds_folder and not lead.holds_folder
    assert is_lead(s, "alice") and not is_lead(s, "bob") and not is_lead(s, "ghost")
    assert sees_all(s, None) and sees_all(s, "alice") and not sees_all(s, "bob")


def test_require_lead_insists_on_a_lead_and_lead_only_lets_the_folder_holder_through():
    s = _Store()
    assert require_lead(s, "alice", "adjudicate").is_lead
    for who in ("bob", None, "cli"):
        with pytest.raises(PermissionDenied, match="only a lead can adjudicate"):
            require_lead(s, who, "adjudicate")
    for who in ("alice", None, "cli"):
        lead_only(s, who, "import papers")
    with pytest.raises(PermissionDenied, match=r"only a lead can import papers \('bob' is a coder\)"):
        lead_only(s, "bob", "import papers")


def test_no_module_but_roles_compares_a_role_string():
    root = Path(__file__).resolve().parents[2] / "studyapp"
    pattern = re.compile(r"""(\[["']role["']\]|\.get\(["']role["']\)|\brole)\s*[!=]=\s*["'](lead|coder)["']""")
    offenders = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py") if p.name != "roles.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
