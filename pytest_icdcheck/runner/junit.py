"""JUnit XML for `icdcheck run`, streamed: what CI systems read, with flat memory.

Test cases are written to a temporary body file as they finish; the final file (header
with the totals, then the body) is assembled at the end and renamed into place.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO
from xml.sax.saxutils import quoteattr

from pytest_icdcheck.atomic import replacing
from pytest_icdcheck.casefile.finder import SUFFIX
from pytest_icdcheck.runner.results import CaseResult


def _text(value: str) -> str:
    """XML-safe element text: escape markup and drop characters XML 1.0 cannot hold."""
    clean = "".join(ch for ch in value if ch in "\t\n\r" or ch >= " ")
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def testcase(result: CaseResult) -> str:
    classname = result.file.removesuffix(SUFFIX).replace("/", ".")
    props = "".join(
        f"<property name={quoteattr(k)} value={quoteattr(v)} />"
        for k, v in (
            ("case_id", result.case_id),
            ("source", result.source),
            ("fiscal_year", result.fiscal_year),
        )
    )
    name = quoteattr(result.case_id or result.file)
    head = (
        f"<testcase classname={quoteattr(classname)} name={name}"
        f' time="{result.seconds:.6f}"><properties>{props}</properties>'
    )
    first = result.text.splitlines()[0] if result.text else ""
    if result.status == "failed":
        body = f"<failure message={quoteattr(first)}>{_text(result.text)}</failure>"
    elif result.status == "error":
        body = f"<error message={quoteattr(first)}>{_text(result.text)}</error>"
    elif result.status == "xfailed":
        body = f'<skipped type="pytest.xfail" message={quoteattr(first)} />'
    else:
        body = ""
    return f"{head}{body}</testcase>\n"


class JUnitWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.counts = (0, 0, 0, 0)  # tests, failures, errors, skipped
        self.seconds = 0.0
        # Closed in __exit__; the writer is only used as a context manager.
        self.body: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def __enter__(self) -> JUnitWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._assemble()
        finally:
            self.body.close()

    def _assemble(self) -> None:
        tests, failures, errors, skipped = self.counts
        with replacing(self.path) as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>')
            out.write(
                f'<testsuite name="icdcheck" tests="{tests}" failures="{failures}" '
                f'errors="{errors}" skipped="{skipped}" time="{self.seconds:.3f}">\n'
            )
            self.body.seek(0)
            shutil.copyfileobj(self.body, out)
            out.write("</testsuite></testsuites>\n")
