"""The package's layers and its freedom from import cycles, as pyproject.toml states them.

import-linter reads the contracts in ``[tool.importlinter]``: the layers (commands over
plugin | runner over verdict over engines over casefile), what runner, casefile, generate
and reference may not import, and no cycle between siblings at any depth (which covers
every module), type-checking imports included.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    # --no-cache: nothing written to the tree (import-linter caches in .import_linter_cache).
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)],
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold() -> None:
    proc = lint_imports(ROOT / "pyproject.toml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", proc.stdout), proc.stdout


def test_a_cycle_would_break_the_contract(tmp_path: Path) -> None:
    # The acyclic contract does catch a cycle: two modules of one layer import each other.
    package = tmp_path / "cyclic"
    (package / "layer").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "layer" / "__init__.py").write_text("")
    (package / "layer" / "a.py").write_text("from cyclic.layer import b\n")
    (package / "layer" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclic.layer import a\n"
    )
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "cyclic"\n'
        '[[tool.importlinter.contracts]]\nname = "acyclic"\ntype = "acyclic_siblings"\n'
        'ancestors = ["cyclic"]\n'
    )
    proc = lint_imports(config)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # The cycle closes through a type-checking import: it counts too.
    assert "No cycles are allowed in cyclic.layer" in proc.stdout, proc.stdout
