"""The tabular's code-reference notation (codesets.py), on notes as the tabular writes them."""

from __future__ import annotations

import pytest

from pytest_icdcheck.reference.codesets import find_references, parse_code_sets


@pytest.mark.parametrize(
    ("note", "inside", "outside"),
    [
        ("specific movement disorders (G20-G26)", ["G20", "G25.3", "G26"], ["G19", "G27", "R25.3"]),
        ("stereotyped movement disorders (F98.4)", ["F98.4"], ["F98.5", "F98"]),
        ("tic disorders (F95.-)", ["F95.0", "F95.9"], ["F94.9", "F98.4"]),
        ("radiculopathy with lumbar ... disorder (M51.1-)", ["M51.16", "M51.17"], ["M51.2"]),
        ("diabetes mellitus (E08-E13 with .42)", ["E11.42", "E08.42"], ["E11.43", "E14.42"]),
        ("diabetic angiopathy (E08-E13 with .51-.52)", ["E11.51", "E10.52"], ["E11.59"]),
        ("stuttering (I69. with final characters -23)", ["I69.123", "I69.323"], ["I69.120"]),
        ("concussion (S06.0X- with seventh character A)", ["S06.0X0A"], ["S06.0X0D"]),
        ("(B27.0-B27.9 with fifth character 1)", ["B27.01", "B27.91"], ["B27.02"]),
        ("(F11-F19 with fifth to sixth characters 51)", ["F11.151"], ["F11.150"]),
        ("(A37 with fifth-character 1)", ["A37.01"], ["A37.00"]),
    ],
)
def test_a_note_names_the_codes_the_tabular_means(
    note: str, inside: list[str], outside: list[str]
) -> None:
    refs = find_references(note)
    assert refs, note
    for code in inside:
        assert any(code in r for r in refs), (note, code)
    for code in outside:
        assert not any(code in r for r in refs), (note, code)


def test_a_note_with_several_codes_names_each() -> None:
    refs = find_references("diabetic polyneuropathy (E08.42, E09.42, E13.42)")
    assert [str(r) for r in refs] == ["E08.42", "E09.42", "E13.42"]


def test_a_qualifier_we_cannot_read_is_skipped_not_guessed() -> None:
    assert find_references("open fracture (S52.- with open fracture 7th character)") == []


def test_notes_without_codes_name_nothing() -> None:
    assert find_references("myelopathy in:") == []


def test_table_cells_parse_cpt_ranges_and_lists() -> None:
    sets = parse_code_sets("95860-95864;95887")
    assert any("95862" in s for s in sets)
    assert any("95887" in s for s in sets)
    assert not any("95865" in s for s in sets)


def test_a_typo_in_a_table_cell_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a code reference"):
        parse_code_sets("G12.-;fasciculation")
