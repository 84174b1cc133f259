"""Fixtures for the paper-ready outputs: the demo study, built once per session (tests that change it
copy it first)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_folder(demo_template, tmp_path_factory) -> Path:
    from tests.conftest import copy_demo

    return copy_demo(demo_template, tmp_path_factory.mktemp("outputs-demo") / "study")
