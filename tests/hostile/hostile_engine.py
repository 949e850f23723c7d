"""In-process engines for the hostile-input corpus (CONTRACT §5: describe() and run()).

Each engine is `Echo` (the claim's diagnoses and services as the result, nothing else)
except on a case whose first documented condition has the term `misbehave`: there it does
the one wrong thing its name says. The corpus's other cases use it as a correct engine.
"""

import math
import sys

from pytest_icdcheck.errors import EngineInputError

TRIGGER = "misbehave"


def echo(encounter):
    claim = encounter.get("claim") or {}
    return {
        "diagnoses": list(claim.get("diagnoses", [])),
        "services": [dict(s) for s in claim.get("services", [])],
        "edits": [],
        "cdi": [],
        "hcc": None,
        "drg": None,
    }


def triggered(encounter):
    conditions = (encounter.get("documentation") or {}).get("conditions") or [{}]
    return conditions[0].get("term") == TRIGGER


class Echo:
    def describe(self):
        return {"name": "hostile", "version": "1.0", "fiscal_years": [2025, 2026, 2027]}

    def run(self, encounter):
        result = echo(encounter)
        return self.misbehave(result) if triggered(encounter) else result

    def misbehave(self, result):
        return result


class Raises(Echo):
    def misbehave(self, result):
        chart = {"4711": "ok"}
        return chart["0815"]


class Refuses(Echo):
    def misbehave(self, result):
        raise EngineInputError("date of service 2025-11-03 is outside this engine's FY2030")


class ReturnsNaN(Echo):
    def misbehave(self, result):
        result["hcc"] = {
            "model": "V28",
            "payment_year": 2026,
            "segment": "CNA",
            "categories": ["190"],
            "coefficient_sum": math.nan,
        }
        return result


class ReturnsInfinity(Echo):
    def misbehave(self, result):
        result["hcc"] = {
            "model": "V28",
            "payment_year": 2026,
            "segment": "CNA",
            "categories": [],
            "coefficient_sum": -math.inf,
        }
        return result


class WrongTypes(Echo):
    def misbehave(self, result):
        result["diagnoses"] = "R25.3, G12.21"
        result["services"] = [{"code": 95886, "units": "3"}]
        return result


class UnknownRule(Echo):
    def misbehave(self, result):
        result["edits"] = [{"rule": "NCCI_EDIT", "codes": ["95861", "95908"], "severity": "hard"}]
        return result


class ExtraKeys(Echo):
    def misbehave(self, result):
        result["confidence"] = 0.93
        result["drg_weight"] = 1.7
        return result


class MissingKeys(Echo):
    def misbehave(self, result):
        del result["edits"]
        del result["hcc"]
        return result


class NotAMapping(Echo):
    def misbehave(self, result):
        return [result]


class ReturnsNone(Echo):
    def misbehave(self, result):
        return None


class NotJson(Echo):
    """Python values no JSON result can hold: a set of codes, an object as the DRG."""

    def misbehave(self, result):
        result["diagnoses"] = {"R25.3"}
        result["drg"] = object()
        return result


class CallsExit(Echo):
    def misbehave(self, result):
        sys.exit(3)


class CannotStart(Echo):
    def __init__(self):
        raise RuntimeError("licence server 10.0.0.7 does not answer")


class Mutates(Echo):
    """Answers correctly, then scribbles on the encounter it was given (and the defaults
    it may share with the file's other cases)."""

    def run(self, encounter):
        result = echo(encounter)
        if triggered(encounter):
            encounter["patient"]["age"] = 7
            encounter["claim"]["diagnoses"].append("Z99.89")
            encounter["claim"]["diagnoses"][0] = "A00.0"
        return result
