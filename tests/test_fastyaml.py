"""The fast reader gives what PyYAML gives, or steps aside.

`fastyaml.parse` must never read a file differently from PyYAML plus `yamlfile._Builder`:
every file it accepts must give equal data (same types: `yes` is True, the code `00100`
stays text) and the same line for each case; anything it is unsure of it declines, and
PyYAML reads the file. Checked on every YAML file in the repository, on generated
documents in many styles, and on shipped files with random edits.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_icdcheck.casefile import fastyaml, yamlfile
from pytest_icdcheck.casefile.cases import read_cases

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(
    p
    for folder in ("cases", "tests", "examples")
    for p in (ROOT / folder).rglob("*.yaml")
    if p.stat().st_size < 2_000_000
)


def pyyaml(text: str) -> tuple[Any, list[int]] | None:
    """What the PyYAML path makes of ``text``: (data, case lines), or None on any error or
    on a duplicate key (a problem the fast reader must leave to PyYAML)."""
    loader = yamlfile._loader_class()(text)
    try:
        root = loader.get_single_node()
        problems: list[Any] = []
        data = yamlfile._Builder(loader, problems).build(root, (), None, False)
    except Exception:
        return None
    finally:
        loader.dispose()
    if problems or root is None:
        return None
    cases = data.get("cases") if isinstance(data, dict) else None
    lines = []
    if isinstance(cases, list):
        lines = [
            yamlfile.node_at(root, ("cases", i)).start_mark.line + 1 for i in range(len(cases))
        ]
    return data, lines


def assert_agrees(text: str) -> bool:
    """The fast reader declines, or agrees with PyYAML exactly; True if it read the text."""
    fast = fastyaml.parse(text)
    if fast is None:
        return False
    slow = pyyaml(text)
    assert slow is not None, f"fast reader accepted what PyYAML refuses:\n{text}"
    assert repr(fast[0]) == repr(slow[0]), text  # repr: True vs 1, 1.0 vs 1 differ
    if slow[1]:
        assert fast[1] == slow[1], text
    return True


# The plain style has no block scalars (`notes: >-`); hand-written files use them.
BLOCK_SCALAR = re.compile(r":[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$", re.MULTILINE)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_in_the_repository(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    read = assert_agrees(text)
    hostile = (ROOT / "tests" / "hostile") in path.parents
    if not hostile and not BLOCK_SCALAR.search(text):
        assert read, f"{path}: plain style, yet the fast reader declined it"


def test_the_generated_suite_takes_the_fast_path() -> None:
    generated = sorted((ROOT / "cases" / "fy2026" / "generated").glob("*.icd.yaml"))
    assert generated
    assert all(assert_agrees(p.read_text(encoding="utf-8")) for p in generated)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cases:\n  - {code: 00100, units: 010, on: yes}\n",
            {"code": "00100", "units": 8, "on": True},
        ),
        (
            "cases:\n- codes: [00100, 1e3, ~, null, 'x']\n",
            {"codes": ["00100", "1e3", None, None, "x"]},
        ),
        ("cases:\n  - d: 2025-11-03  # a date keeps its text\n", {"d": "2025-11-03"}),
        ("cases:\n  - t: it''s  a#b\n    q: 'it''s'\n", {"t": "it''s  a#b", "q": "it's"}),
        ("cases:\n  - e: \n    f: []\n    g: {}\n", {"e": None, "f": [], "g": {}}),
    ],
)
def test_scalars_read_as_pyyaml_reads_them(text: str, expected: dict[str, Any]) -> None:
    assert assert_agrees(text)
    fast = fastyaml.parse(text)
    assert fast is not None and fast[0]["cases"][0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "cases:\n  - title: >-\n      folded\n",  # block scalar
        "cases:\n  - title: two\n      lines\n",  # plain scalar over two lines
        'cases:\n  - title: "a\\tb"\n',  # escape
        "cases:\n  - &a {id: x}\n  - *a\n",  # anchor and alias
        "cases:\n  - id: x\n    id: y\n",  # duplicate key: PyYAML's path reports it
        "a: 1\n---\nb: 2\n",  # two documents
        "cases:\n\t- id: x\n",  # tab
        "cases: [\n  {id: x}]\n",  # flow over lines
        "cases:\n  - {id: x, }\n",  # trailing comma
        "cases:\n  - x: a: b\n",  # colon in a plain scalar
        "cases:\n   - id: x\n  - id: y\n",  # bad indentation
        "- a\n- b\n",  # not a mapping
        "",
    ],
)
def test_declines_what_it_does_not_read(text: str) -> None:
    assert fastyaml.parse(text) is None


def test_a_declined_file_still_loads_through_pyyaml(tmp_path: Path) -> None:
    path = tmp_path / "folded.icd.yaml"
    path.write_text(
        "cases:\n  - id: a\n    title: >-\n      two\n      lines\n"
        "    encounter:\n      setting: outpatient\n      date_of_service: 2025-11-03\n"
        "      patient: {age: 50, sex: F}\n      claim: {diagnoses: [R25.3]}\n"
        "    expected: {diagnoses: [R25.3]}\n"
    )
    (case,) = read_cases(path)
    assert case.title == "two lines" and case.line == 2 and not case.problems


# -- generated documents: random data written in random styles --------------------------

KEYS = ["id", "code", "codes", "diagnoses", "title", "on", "units", "x", "modifiers", "due_to"]
SCALARS = [
    "R25.3",
    "00100",
    "010",
    "0x1F",
    "1e3",
    "1_000",
    "12:30",
    ".5",
    "-5",
    "+1",
    "yes",
    "No",
    "on",
    "OFF",
    "~",
    "null",
    "",
    "true",
    "2025-11-03",
    "2025-11-03 10:00:00",
    "a b",
    "a  b",
    "a#b",
    "a #b",
    "a: b",
    "a:b",
    "-",
    "- a",
    "? x",
    "#x",
    "it's",
    'say "hi"',
    "[x]",
    "{x}",
    "a,b",
    "&a",
    "*a",
    "!x",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "=",
    "<<",
    "é",
    " lead",
    "trail ",
    ".inf",
    ".NaN",
    "0o17",
    "0b101",
    "1:00:00",
    "Y",
    "n",
    "NULL",
]


def render(value: Any, indent: int, style: random.Random, flow: bool) -> str:
    """One value in a random but valid style (the text after `key:` or `-`)."""
    if isinstance(value, dict):
        if flow or (value and style.random() < 0.3):
            inner = ", ".join(f"{k}: {render(v, 0, style, True)}" for k, v in value.items())
            return "{" + inner + "}"
        if not value:
            return "{}"
        pad = " " * (indent + 2)
        return "".join(f"\n{pad}{k}:{_after(v, indent + 2, style)}" for k, v in value.items())
    if isinstance(value, list):
        if flow or not value or style.random() < 0.4:
            return "[" + ", ".join(render(v, 0, style, True) for v in value) + "]"
        pad = " " * (indent + (2 if style.random() < 0.7 else 0))
        out = ""
        for item in value:
            if isinstance(item, dict) and item and style.random() < 0.7:
                first, *rest = item.items()
                text = f"\n{pad}- {first[0]}:{_after(first[1], len(pad) + 2, style)}"
                for k, v in rest:
                    text += f"\n{pad}  {k}:{_after(v, len(pad) + 2, style)}"
                out += text
            else:
                out += f"\n{pad}-{_after(item, len(pad), style)}"
        return out
    text = str(value)
    roll = style.random()
    if roll < 0.2:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if roll < 0.35:
        return "'" + text.replace("'", "''") + "'"
    return text + (" # note" if not flow and style.random() < 0.1 else "")


def _after(value: Any, indent: int, style: random.Random) -> str:
    text = render(value, indent, style, False)
    if text.startswith("\n"):
        return text
    return " " + text if text else ""


values = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, max_size=4), st.integers(0, 2**32 - 1))
def test_generated_documents_agree(cases: list[Any], seed: int) -> None:
    style = random.Random(seed)
    text = "suite: generated\ncases:" + (_after(cases, 0, style) or " []") + "\n"
    assert_agrees(text)


def test_generated_documents_mostly_take_the_fast_path() -> None:
    """Plain data in the usual styles is read by the fast reader (else the test above
    would prove nothing)."""
    style = random.Random(7)
    read = 0
    for n in range(200):
        data = [{"id": f"c{n}", "codes": ["R25.3", "00100"], "patient": {"age": n, "sex": "F"}}]
        if assert_agrees("cases:" + _after(data, 0, style) + "\n"):
            read += 1
    assert read >= 150


# -- shipped files with random edits ---------------------------------------------------

EDITS = [*list(" :-#\"'[]{},&*!|>?\t\n0aA"), "  ", "\n  ", ": ", "- "]


@pytest.mark.parametrize("seed", range(20))
def test_edited_files_agree_or_are_declined(seed: int) -> None:
    rng = random.Random(seed)
    sources = sorted((ROOT / "cases" / "fy2026" / "generated").glob("*.icd.yaml"))
    whole = rng.choice(sources).read_text(encoding="utf-8")
    original = whole[: whole.rfind("\n", 0, 6000) + 1]  # whole lines: the cut is no edit
    read = 0
    for _ in range(60):
        text = original
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            cut = rng.choice([0, 0, 1, 2])
            text = text[:at] + rng.choice([*EDITS, ""]) + text[at + cut :]
        read += assert_agrees(text)
    assert read >= 10  # many edits keep the plain style: the agreement is really checked


def test_cases_with_the_same_line_never_share_a_list() -> None:
    """Repeated lines are read once; an engine that changes its input changes one case."""
    text = "cases:\n  - codes: [R25.3, G12.21]\n  - codes: [R25.3, G12.21]\n"
    first = fastyaml.parse(text)
    second = fastyaml.parse(text)
    assert first is not None and second is not None
    first[0]["cases"][0]["codes"].append("X")
    assert first[0]["cases"][1]["codes"] == ["R25.3", "G12.21"]
    assert second[0]["cases"][0]["codes"] == ["R25.3", "G12.21"]
