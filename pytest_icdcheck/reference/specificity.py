"""CONTRACT §2.1 step 4a (v2): an unspecified code gives way to a specified one.

A code whose tabular title says "unspecified" is not reported beside another reported code
of the same category (first three characters) whose title does not: that code specifies
the same condition (OCG I.B.2 / III.B: code to the highest specificity documented; an
unspecified code is for when the record says no more). So an inpatient "motor neuron
disease — rule out ALS" gives G12.21 alone, and R25.9 is not reported beside R25.3.
"""

from __future__ import annotations

import functools
import re

from pytest_icdcheck.reference import tabular

_UNSPECIFIED = re.compile(r"\bunspecified\b", re.IGNORECASE)


@functools.cache
def is_unspecified(code: str) -> bool:
    """The tabular title says "unspecified" (G12.20, R25.9)."""
    return bool(_UNSPECIFIED.search(tabular.description(code)))


def drop_unspecified(codes: list[str]) -> list[str]:
    """``codes`` without the unspecified ones a specified code of their category replaces."""
    specified = {c[:3] for c in codes if not is_unspecified(c)}
    return [c for c in codes if not (is_unspecified(c) and c[:3] in specified)]
