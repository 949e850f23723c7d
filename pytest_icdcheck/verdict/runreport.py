"""The JSON run report (`pytest --icd-report FILE`, `icdcheck run --report FILE`).

One document per run, shaped by ``schemas/run-report.schema.json``: the engine and the
versions, the counts, failures by field, the scorecard by rule, and every case with its
status and its differences as data. Both drivers fill a `RunReport` from the plain data
their outcomes carry, so the plugin (one process or the xdist controller) and the batch
runner write the same document; cases are listed in file and line order, whatever order
they finished in. Written atomically: a reader never sees half a report.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_icdcheck.atomic import write_atomically
from pytest_icdcheck.verdict.compare import FIELDS
from pytest_icdcheck.verdict.scorecard import Scorecard
from pytest_icdcheck.verdict.tally import OUTCOMES, Tally

SCHEMA_ID = "https://pytest-icdcheck.dev/schemas/run-report.schema.json"
REPORT_VERSION = 1


class RunReport:
    def __init__(self, runner: str) -> None:
        self.runner = runner  # "pytest" or "icdcheck run"
        self.cases: list[dict[str, Any]] = []

    def add_case(
        self,
        *,
        case_id: str,
        file: str,
        line: int,
        status: str,
        differences: Sequence[Mapping[str, Any]] = (),
        message: str | None = None,
        node_id: str | None = None,
    ) -> None:
        self.cases.append(
            {
                "id": case_id,
                "file": file,
                "line": line,
                "node_id": node_id,
                "status": status,
                "differences": [dict(d) for d in differences],
                # What the user reads where there are no differences to show as data: an
                # invalid case, an engine failure.
                "message": message if status == "error" or not differences else None,
            }
        )

    def document(
        self,
        tally: Tally,
        *,
        engine_info: Mapping[str, Any] | None,
        scorecard: Scorecard | None,
        versions: Mapping[str, str],
    ) -> dict[str, Any]:
        """The whole report, from the tally both drivers keep (engines, counts, fields)."""
        info = engine_info or {}
        engines, against, counts, fields = tally.engines, tally.against, tally.counts, tally.fields
        return {
            "$schema": SCHEMA_ID,
            "report_version": REPORT_VERSION,
            "runner": self.runner,
            "engine": {
                "label": ", ".join(sorted(engines)) or None,
                "name": info.get("name"),
                "version": info.get("version"),
                "fiscal_years": list(info.get("fiscal_years") or []),
                "against": ", ".join(sorted(against)) or None,
            },
            "versions": {"python": platform.python_version(), **versions},
            "counts": {
                "total": sum(counts.get(s, 0) for s in OUTCOMES),
                **{s: counts.get(s, 0) for s in OUTCOMES},
            },
            "failures_by_field": {f: fields[f] for f in FIELDS if fields.get(f)},
            "scorecard": scorecard.rows() if scorecard is not None else [],
            "cases": sorted(self.cases, key=lambda c: (c["file"], c["line"], c["id"])),
        }


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-icdcheck")
    except PackageNotFoundError:  # a source checkout that is not installed
        return "unknown"


def write_report(path: Path, document: Mapping[str, Any]) -> None:
    write_atomically(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
