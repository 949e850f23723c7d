"""The diagnosis edits a submitted claim must get, from every family's rule statement.

A generated claim is built to test one rule, but the contract's rules apply together: a
pair can be excluded (Excludes1) and integral at once, a cause can be listed before or after
its symptom. So each family writes the ``edits`` it expects through this function, which
asks every family's rule table about every pair on the claim (CONTRACT §3: one edit per
offending code or pair):

* DUPLICATE_CODE — a code listed twice (OCG III/IV: each code once);
* EXCLUDES1 — tabular notes, ``codes.excluded_together`` (excludes1.py states the rule);
* SYMPTOM_INTEGRAL — integral_rules.RULES;
* ETIOLOGY_SEQUENCING — etiology_rules.RULES.

Every claim code must be billable on the date: validity cases are built separately
(validity.py, fiscal_boundaries.py).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

from pytest_icdcheck.generate import etiology_rules
from pytest_icdcheck.generate.codes import excluded_together
from pytest_icdcheck.generate.integral_rules import is_integral
from pytest_icdcheck.generate.model import edit


def dx_edits(claim: list[str]) -> list[dict[str, Any]]:
    """The diagnosis edits for a claim of billable codes, in a stable order."""
    found: list[dict[str, Any]] = []
    found += [edit("DUPLICATE_CODE", c) for c, n in Counter(claim).items() if n > 1]
    unique = list(dict.fromkeys(claim))
    found += [
        edit("EXCLUDES1", a, b) for a, b in combinations(unique, 2) if excluded_together(a, b)
    ]
    found += [edit("SYMPTOM_INTEGRAL", s, d) for s in unique for d in unique if is_integral(s, d)]
    found += etiology_rules.claim_edits(unique)
    return found
