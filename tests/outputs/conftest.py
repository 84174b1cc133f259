"""Fixtures for the paper-ready outputs: the demo study, built once per session (tests that change it
copy it first)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory) -> Path:
    from studyapp.services.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("outputs-demo") / "study")
