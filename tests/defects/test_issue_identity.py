"""A defect's issue is repository + number: issue #3 of two repositories is two issues."""

import json
import sqlite3

import pytest

from studyapp.services.defects.imports import add_defect
from studyapp.store import Store
from studyapp.store.base import DB_NAME


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    from studyapp.services.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("defects-demo") / "study")


def test_the_demo_keeps_issues_of_different_repositories_apart(demo_folder):
    with Store.open(demo_folder) as store:
        index = store.defects.issue_index()
        by_issue: dict[str, set[str]] = {}
        for r in index:
            assert r["issue"] and "#" in r["issue"], r
            by_issue.setdefault(r["issue"], set()).add(r["key"].split("#")[0])
        threes = [i for i in by_issue if i.endswith("#3")]
        assert len(threes) > 1, "the demo has issue 3 in more than one repository"
        for issue in threes:
            siblings = store.defects.of_issue(issue)
            assert {s["attrs"]["repo"] for s in siblings} == {issue.split("#")[0]}


def test_add_defect_numbers_within_its_own_repository(demo_folder, tmp_path):
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(demo_folder, folder)
    with Store.open(folder) as store:
        first = next(r for r in store.defects.issue_index() if r["issue"].endswith("#3"))
        new_id = add_defect(store, first["id"], actor="alice")
        new = store.units.require(new_id)
        assert new["attrs"]["defect"] == 2 and new["key"] == f"{first['issue']}:2"
        assert {s["id"] for s in store.defects.of_issue(first["issue"])} == {first["id"], new_id}


def test_a_study_with_bare_issue_numbers_is_migrated(tmp_path):
    """A study made before the fix (issue: "3", repo beside it) opens with issue = repo#3."""
    store = Store.create(tmp_path / "old", "old")
    with store.transaction():
        store.units.add_many([{"kind": "defect", "key": k, "title": k, "text": "",
                               "attrs": {"repo": repo, "issue": "3", "url": f"https://github.com/{repo}/issues/3"}}
                              for k, repo in (("a#3", "o/yolo-lite"), ("b#3", "o/pose-hourglass"))], actor="t")
    store.close()
    conn = sqlite3.connect(tmp_path / "old" / DB_NAME)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'defects_002_issue_is_repo_and_number'")
    conn.execute("UPDATE units SET attrs = json_set(attrs, '$.issue', '3') WHERE kind = 'defect'")
    conn.commit()
    conn.close()
    with Store.open(tmp_path / "old") as store:
        rows = {r["key"]: json.loads(r["attrs"]) for r in store.query("SELECT key, attrs FROM units")}
        assert rows["a#3"]["issue"] == "o/yolo-lite#3" and rows["b#3"]["issue"] == "o/pose-hourglass#3"
        assert rows["a#3"]["number"] == 3
        assert len(store.defects.of_issue("o/yolo-lite#3")) == 1
