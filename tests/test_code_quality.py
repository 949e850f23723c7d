"""The package stays typed (mypy --strict, py.typed) and ruff-clean; CI runs these."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_package_is_marked_typed() -> None:
    assert (ROOT / "pytest_icdcheck" / "py.typed").exists()


def test_mypy_strict_on_the_package() -> None:
    pytest.importorskip("mypy")
    proc = run(sys.executable, "-m", "mypy", "--strict", "pytest_icdcheck")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_check() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    proc = run(ruff, "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
