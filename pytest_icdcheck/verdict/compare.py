"""Expected vs result (CONTRACT §4), as differences a coder reads.

Each field has its own rule: the principal diagnosis by position and the rest as a
multiset; services, edits and CDI alerts as multisets of what identifies them; HCC
categories as a set and the coefficient sum within 0.001; DRG exactly. The engine's own
``extensions`` are compared by path where expected (see extensions.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from pytest_icdcheck.verdict.difference import Difference

__all__ = ["FIELDS", "Difference", "compare"]

FIELDS = ("diagnoses", "services", "edits", "cdi", "hcc", "drg", "extensions")
COEFFICIENT_TOLERANCE = 0.001
# The advisory rules (CONTRACT §3); every other rule is an error unless a case says otherwise.
RULE_SEVERITY = {"ETIOLOGY_SEQUENCING": "warning", "MISSED_DX": "warning"}


def compare(
    expected: Mapping[str, Any], result: Mapping[str, Any], *, ordered: bool = False
) -> list[Difference]:
    """Compare only the keys present in ``expected``; ``[]`` means "must be empty"."""
    diffs: list[Difference] = []
    if "diagnoses" in expected:
        diffs += _diagnoses(
            list(expected["diagnoses"]), list(result.get("diagnoses") or []), ordered
        )
    if "services" in expected:
        diffs += _multiset(
            "services", expected["services"], result.get("services") or [], _service_key, _service
        )
    if "edits" in expected:
        diffs += _multiset("edits", expected["edits"], result.get("edits") or [], _edit_key, _edit)
    if "cdi" in expected:
        diffs += _multiset("cdi", expected["cdi"], result.get("cdi") or [], _cdi_key, _cdi)
    if "hcc" in expected:
        diffs += _hcc(expected["hcc"], result.get("hcc"))
    if "drg" in expected:
        diffs += _drg(expected["drg"], result.get("drg"))
    if "extensions" in expected:
        from pytest_icdcheck.verdict.extensions import compare_extensions

        diffs += compare_extensions(expected["extensions"], result.get("extensions"))
    return diffs


def _diagnoses(exp: list[str], got: list[str], ordered: bool) -> list[Difference]:
    out: list[Difference] = []
    if ordered:
        for i in range(max(len(exp), len(got))):
            e = exp[i] if i < len(exp) else None
            g = got[i] if i < len(got) else None
            if e != g:
                out.append(_position_diff(i, e, g))
        if out and Counter(exp) == Counter(got):
            seq = ", ".join(got)
            out = [
                Difference(
                    "diagnoses",
                    "changed",
                    f"diagnoses: sequence expected {', '.join(exp)}, got {seq}",
                    "principal" if exp[:1] != got[:1] else "sequence",
                )
            ]
        return out
    if exp[:1] != got[:1]:
        e0, g0 = (exp[0] if exp else None), (got[0] if got else None)
        if Counter(exp) == Counter(got):
            return [
                Difference(
                    "diagnoses",
                    "changed",
                    f"diagnoses[0]: expected {e0}, got {g0} "
                    f"(same codes, sequenced {', '.join(got)})",
                    "principal",
                )
            ]
        out.append(_position_diff(0, e0, g0))
    out += _multiset("diagnoses", exp[1:], got[1:], lambda c: c, str)
    return out


def _position_diff(i: int, e: str | None, g: str | None) -> Difference:
    item = "principal" if i == 0 else str(e or g)
    if e is None:
        return Difference("diagnoses", "unexpected", f"diagnoses[{i}]: unexpected {g}", item)
    if g is None:
        return Difference(
            "diagnoses", "missing", f"diagnoses[{i}]: expected {e}, got nothing", item
        )
    return Difference("diagnoses", "changed", f"diagnoses[{i}]: expected {e}, got {g}", item)


def _multiset(
    field: str,
    expected: Iterable[Any],
    got: Iterable[Any],
    key: Callable[[Any], Hashable],
    show: Callable[[Any], str],
) -> list[Difference]:
    exp_items = list(expected)
    got_items = [g for g in got if isinstance(g, (Mapping, str))]
    exp_keys = [key(e) for e in exp_items]
    got_keys = [key(g) for g in got_items]
    if exp_keys == got_keys:  # the usual passing case: same items, same order
        return []
    exp_count = Counter(exp_keys)
    got_count = Counter(got_keys)
    missing = exp_count - got_count
    unexpected = got_count - exp_count
    # Show the engine's own item (it carries the message) for unexpected ones.
    got_by_key = {key(g): g for g in got_items}
    exp_by_key = {key(e): e for e in exp_items}
    out = []
    changed = _pair_changes(field, missing, unexpected, exp_by_key, got_by_key)
    out += changed
    for k, n in sorted(missing.items(), key=lambda kv: str(kv[0])):
        text = f"{field}: missing {show(exp_by_key[k])}"
        out += [Difference(field, "missing", text, _item(k))] * n
    for k, n in sorted(unexpected.items(), key=lambda kv: str(kv[0])):
        text = f"{field}: unexpected {show(got_by_key[k])}"
        out += [Difference(field, "unexpected", text, _item(k))] * n
    return out


def _item(key: Hashable) -> str:
    """The rule id (edits, cdi) or code (services, diagnoses) in a multiset key."""
    return str(key[0]) if isinstance(key, tuple) else str(key)


def _pair_changes(
    field: str,
    missing: Counter[Hashable],
    unexpected: Counter[Hashable],
    exp_by_key: Mapping[Hashable, Any],
    got_by_key: Mapping[Hashable, Any],
) -> list[Difference]:
    """A missing and an unexpected item of the same identity read as one change.

    Identity is the service code (units/modifiers changed) or the edit rule and codes
    (severity changed); removes the paired entries from both counters.
    """
    if field not in ("services", "edits"):
        return []
    out = []
    for mk in sorted(missing, key=str):
        for uk in sorted(unexpected, key=str):
            if (
                isinstance(mk, tuple)
                and isinstance(uk, tuple)
                and mk[: 2 if field == "edits" else 1] == uk[: 2 if field == "edits" else 1]
                and missing[mk] > 0
                and unexpected[uk] > 0
            ):
                e, g = exp_by_key[mk], got_by_key[uk]
                if field == "services":
                    what = f"{mk[0]}: expected {_service(e)}, got {_service(g)}"
                else:
                    what = f"{_edit(e, message=False)}: expected severity {mk[2]}, got {uk[2]}"
                out.append(Difference(field, "changed", f"{field}: {what}", _item(mk)))
                missing[mk] -= 1
                unexpected[uk] -= 1
    for counter in (missing, unexpected):
        for k in [k for k, n in counter.items() if n <= 0]:
            del counter[k]
    return out


def _service_key(s: Any) -> tuple[str, int, tuple[str, ...]]:
    if not isinstance(s, Mapping):
        return (str(s), 1, ())
    mods = tuple(sorted(map(str, s.get("modifiers") or [])))
    return (str(s.get("code")), s.get("units", 1), mods)


def _service(s: Any) -> str:
    code, units, mods = _service_key(s)
    text = str(code) + "".join(f"-{m}" for m in mods)
    return text + (f" x{units}" if units != 1 else "")


def _edit_key(e: Any) -> tuple[str, tuple[str, ...], str]:
    rule = str(e.get("rule"))
    return (
        rule,
        tuple(sorted(map(str, e.get("codes") or []))),
        str(e.get("severity") or RULE_SEVERITY.get(rule, "error")),
    )


def _edit(e: Any, message: bool = True) -> str:
    rule, codes, _ = _edit_key(e)
    text = f"{rule}({', '.join(codes)})"
    if message and e.get("message"):
        text += f' "{e["message"]}"'
    return text


def _cdi_key(c: Any) -> tuple[str, tuple[str, ...]]:
    return (str(c.get("rule")), tuple(sorted(map(str, c.get("codes") or []))))


def _cdi(c: Any) -> str:
    rule, codes = _cdi_key(c)
    text = f"{rule}({', '.join(codes)})"
    if c.get("message"):
        text += f' "{c["message"]}"'
    return text


def _absent(name: str, expected: Mapping[str, Any] | None, got: Any) -> list[Difference]:
    """hcc / drg where one side has none (``null``): the whole value is the difference."""
    if expected is None:
        if got is None:
            return []
        return [Difference(name, "unexpected", f"{name}: expected none, got {_flat(got)}")]
    return [Difference(name, "missing", f"{name}: expected {_flat(expected)}, got none")]


def _hcc(expected: Mapping[str, Any] | None, got: Any) -> list[Difference]:
    if expected is None or not isinstance(got, Mapping):
        return _absent("hcc", expected, got)
    out = []
    for key, value in expected.items():
        have = got.get(key)
        if key == "categories":
            exp_set, got_set = set(map(str, value)), set(map(str, have or []))
            out += [
                Difference("hcc", "missing", f"hcc.categories: missing HCC {c}", "categories")
                for c in sorted(exp_set - got_set, key=_num)
            ]
            out += [
                Difference("hcc", "unexpected", f"hcc.categories: unexpected HCC {c}", "categories")
                for c in sorted(got_set - exp_set, key=_num)
            ]
        elif key == "coefficient_sum":
            if not isinstance(have, (int, float)) or abs(have - value) > COEFFICIENT_TOLERANCE:
                out.append(
                    Difference(
                        "hcc",
                        "changed",
                        f"hcc.coefficient_sum: expected {value}, got {have}",
                        "coefficient_sum",
                    )
                )
        elif have != value:
            text = f"hcc.{key}: expected {value}, got {have}"
            out.append(Difference("hcc", "changed", text, str(key)))
    return out


def _drg(expected: Mapping[str, Any] | None, got: Any) -> list[Difference]:
    if expected is None or not isinstance(got, Mapping):
        return _absent("drg", expected, got)
    return [
        Difference("drg", "changed", f"drg.{key}: expected {value}, got {got.get(key)}", key)
        for key, value in expected.items()
        if got.get(key) != value
    ]


def _num(category: str) -> tuple[int, str]:
    return (int(category), category) if category.isdigit() else (10**9, category)


def _flat(m: Mapping[str, Any]) -> str:
    def show(v: Any) -> str:
        return "[" + ", ".join(map(str, v)) + "]" if isinstance(v, list) else str(v)

    return "{" + ", ".join(f"{k}: {show(v)}" for k, v in m.items()) + "}"
