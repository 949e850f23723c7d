"""CONTRACT §2.1 step 4a (v2): an unspecified code gives way to a specified one.

A code whose tabular title says "unspecified" is not reported beside another reported code
of the same category (first three characters) that specifies the same condition (OCG
I.B.2 / III.B: code to the highest specificity documented; an unspecified code is for when
the record says no more). So an inpatient "motor neuron disease — rule out ALS" gives
G12.21 alone, and R25.9 is not reported beside R25.3.

"The same condition" is read from the titles: the unspecified code's title less
"unspecified" names its condition (G12.20 "Motor neuron disease, unspecified" → motor neuron
disease); a code specifies it when it sits under the header with that title (G12.21 under
G12.2 "Motor neuron disease"; R25.3 under R25 "Abnormal involuntary movements" for R25.9) or
its own title names the condition. R25.1 "Tremor, unspecified" is therefore kept beside
R25.3 (fasciculation is no kind of tremor): reading "same category" alone would drop it.
"""

from __future__ import annotations

import functools
import re

from pytest_icdcheck.reference import tabular

_UNSPECIFIED = re.compile(r"\bunspecified\b", re.IGNORECASE)


def _words(title: str) -> str:
    return re.sub(r"[\s,]+", " ", title).strip().lower()


@functools.cache
def condition_of(code: str) -> str | None:
    """The condition an unspecified code names ("motor neuron disease" for G12.20), or
    None when its title does not say "unspecified"."""
    title = tabular.description(code)
    if not _UNSPECIFIED.search(title):
        return None
    return _words(_UNSPECIFIED.sub(" ", title))


@functools.cache
def specifies(code: str, unspecified: str) -> bool:
    """``code`` is a more specific code of the condition ``unspecified`` leaves open."""
    condition = condition_of(unspecified)
    if condition is None or code == unspecified or code[:3] != unspecified[:3]:
        return False
    if condition_of(code) is not None:
        return False
    headers = [a for a in tabular.ancestors(unspecified) if tabular.is_canonical(a)]
    if any(
        _words(tabular.description(h)) == condition and h in tabular.ancestors(code)
        for h in headers
    ):
        return True
    return condition in _words(tabular.description(code))


def drop_unspecified(codes: list[str]) -> list[str]:
    """``codes`` without the unspecified ones that another reported code specifies."""
    return [c for c in codes if not any(specifies(other, c) for other in codes)]
