"""pytest-html: the icdcheck summary and scorecard in its summary, differences as tables.

Registered at configure time only when pytest-html is installed (its hooks exist only
then) and only in the process that writes the HTML (not in xdist workers). It reads the
same report data as the terminal summary. Everything is escaped: case ids, codes and
engine messages are the user's text, not HTML. Registered in every run where pytest-html
is installed, so it imports nothing until its hooks are called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from pytest_icdcheck.plugin.summary import Summary

# Inline styles: pytest-html's stylesheet greys tables and headings in its summary and log.
_TABLE = "border-collapse:collapse;margin:6px 0 10px 0;font-size:13px;background:#fff"
_CELL = "border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;color:#222"
_HEAD = _CELL + ";background:#eef1f5"
_KIND_COLOURS = {"missing": "#b00020", "unexpected": "#8a4b00", "changed": "#1a4f9c"}


class HtmlReport:
    def __init__(self, summary: Summary) -> None:
        self.summary = summary

    def pytest_html_results_summary(self, prefix: list[str], summary: Any, postfix: Any) -> None:
        facts = self.summary.facts()
        if not facts:
            return
        parts = ['<div class="icdcheck-summary"><h2>icdcheck</h2>']
        parts += [f"<p>{escape(line)}</p>" for line in facts]
        if self._rows:
            parts.append('<h3 style="color:#222">Scorecard by rule</h3>')
            parts.append("<p>Failing cases per rule, most frequent first.</p>")
            parts.append(_scorecard_table(self._rows))
        parts.append("</div>")
        prefix.append("".join(parts))

    @property
    def _rows(self) -> list[dict[str, Any]]:
        return self.summary.scorecard.rows() if self.summary.scorecard is not None else []

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        info = getattr(report, "icdcheck", None)
        if report.when != "call" or not isinstance(info, dict):
            return
        differences = info.get("differences")
        if not differences or not data:
            return
        # The log is the failure text (after xdist's "[gw0] linux -- Python …" line): keep
        # its heading (case, title, source, engine), then the differences as a table.
        lines = report.longreprtext.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("case ")), 0)
        heading = [line for line in lines[start:] if not line.startswith(" ")]
        block = "".join(f"<div>{escape(line)}</div>" for line in heading)
        data[0] = (
            '<div class="icdcheck-differences" style="white-space:normal;font-family:'
            f'sans-serif">{block}{_differences_table(differences)}</div>'
        )


def _differences_table(differences: Iterable[Mapping[str, Any]]) -> str:
    rows = list(differences)
    against = any(d.get("section") == "against" for d in rows)
    head = ["Field", "Kind", "Difference"] + (["Compared with"] if against else [])
    body = []
    for d in rows:
        kind = str(d.get("kind", ""))
        colour = _KIND_COLOURS.get(kind, "#333")
        cells = [
            escape(str(d.get("field", ""))),
            f'<span style="color:{colour};font-weight:bold">{escape(kind)}</span>',
            f"<code>{escape(str(d.get('text', '')))}</code>",
        ]
        if against:
            cells.append("--icd-against" if d.get("section") == "against" else "expected")
        body.append(cells)
    return _table(head, body)


def _scorecard_table(rows: list[dict[str, Any]]) -> str:
    from pytest_icdcheck.verdict.scorecard import KINDS  # loaded by the run's first failure

    present = {k for row in rows for k in row["counts"]}
    kinds = [k for k in KINDS if k in present] + sorted(present - set(KINDS))
    body = []
    for row in rows:
        cells = [escape(row["field"]), f"<code>{escape(row['rule'] or '')}</code>"]
        cells += [str(row["counts"].get(k, "")) for k in kinds]
        cells.append(str(row["cases"]))
        body.append(cells)
    return _table(["Field", "Rule", *kinds, "Cases"], body)


def _table(head: list[str], body: Iterable[list[str]]) -> str:
    """A table in the report's inline style; ``body`` cells are HTML already escaped."""
    out = [f'<table style="{_TABLE}"><tr>']
    out += [f'<th style="{_HEAD}">{escape(h)}</th>' for h in head]
    out.append("</tr>")
    for cells in body:
        out.append("<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells) + "</tr>")
    out.append("</table>")
    return "".join(out)
