"""The engine's own fields (``extensions``, CONTRACT §3, §4): a generic nested comparison.

Only the keys an expectation gives are compared, recursively: mappings by key (a key the
engine adds is not a difference), lists in order, numbers within 1e-9 whatever their
type. deepdiff finds the differences; each becomes one line with its path and both
values, ``extensions.acme.drg_weight: expected 1.2183, got 1.301``. deepdiff is imported
only when an expected value is not simply equal to the engine's (the passing case costs
one ``==``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pytest_icdcheck.verdict.difference import Difference

NUMBER_TOLERANCE = 1e-9
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# deepdiff's report kinds, in a coder's words; "dictionary_item_added" (a key only the
# engine has) is left out on purpose: only the keys given are compared.
_KINDS = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_removed": "missing",
    "iterable_item_removed": "missing",
    "iterable_item_added": "unexpected",
}


def compare_extensions(expected: Any, got: Any) -> list[Difference]:
    if not isinstance(got, Mapping):
        return [_difference(["extensions"], "missing", expected, None)]
    if all(key in got and got[key] == value for key, value in expected.items()):
        return []  # NaN aside, == agrees with deepdiff here (1 == 1.0 == True for both)
    from deepdiff import DeepDiff

    tree = DeepDiff(
        dict(expected),
        {key: got[key] for key in expected if key in got},
        math_epsilon=NUMBER_TOLERANCE,
        ignore_numeric_type_changes=True,
        view="tree",
    )
    found = []
    for report, levels in tree.items():
        kind = _KINDS.get(report)
        if kind is None:
            continue
        for level in levels:
            path = ["extensions", *level.path(output_format="list")]
            found.append(_difference(path, kind, _value(level.t1), _value(level.t2)))
    return sorted(found, key=lambda d: d.text)


def _value(value: Any) -> Any:
    return None if type(value).__name__ == "NotPresent" else value


def _difference(path: list[Any], kind: str, expected: Any, got: Any) -> Difference:
    where = _path(path)
    if kind == "missing":
        text = f"{where}: expected {_show(expected)}, got nothing"
    elif kind == "unexpected":
        text = f"{where}: unexpected {_show(got)}"
    else:
        text = f"{where}: expected {_show(expected)}, got {_show(got)}"
    # The scorecard counts a path whatever list position it was found at.
    item = _path([p for p in path if not isinstance(p, int)])
    return Difference("extensions", kind, text, item)


def _path(parts: list[Any]) -> str:
    out = str(parts[0])
    for part in parts[1:]:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(str(part)):
            out += f".{part}"
        else:
            out += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return out


def _show(value: Any) -> str:
    """JSON, so a string "1.2" and the number 1.2 never read the same."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        return repr(value)
