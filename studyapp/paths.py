"""Where the shipped files are: codebooks, the demo study's sources, the default demo study folder."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CODEBOOKS_DIR = REPO_ROOT / "codebooks"
DEMO_SOURCE = REPO_ROOT / "data" / "demo"
DEMO_STUDY = REPO_ROOT / "data" / "demo-study"

#: Which units a codebook of each kind is applied to.
UNIT_KINDS_OF_CODEBOOK = {"slr": ("paper",), "interview": ("segment",), "defect": ("defect",),
                          "any": ("paper", "segment", "defect")}
