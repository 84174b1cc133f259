"""A small synthetic PeaTMOSS sample shared by the claim tests (generated once per session)."""

from __future__ import annotations

import pytest

from studyapp.datasets.sample import generate


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("sample") / "sample.db", models=1500, seed=5).path
