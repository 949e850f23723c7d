"""JUnit XML for `icdcheck run`, streamed: what CI systems read, with flat memory.

Test cases are written to a temporary body file as they finish; the final file (header
with the totals, then the body) is assembled at the end and renamed into place.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from pytest_icdcheck.atomic import replacing
from pytest_icdcheck.casefile.finder import SUFFIX
from pytest_icdcheck.runner.results import CaseResult

# Characters XML 1.0 cannot hold, even escaped: controls, surrogates, U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _legal(value: str) -> str:
    """Each character XML cannot hold shown as pytest's junitxml shows it (`#x1B`)."""
    return _ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", value)


def _text(value: str) -> str:
    """XML-safe element text: escape markup, show what XML 1.0 cannot hold."""
    return escape(_legal(value))


def _attr(value: str) -> str:
    """A quoted, XML-safe attribute value."""
    return quoteattr(_legal(value))


def testcase(result: CaseResult) -> str:
    classname = result.file.removesuffix(SUFFIX).replace("/", ".")
    props = "".join(
        f"<property name={_attr(k)} value={_attr(v)} />"
        for k, v in (
            ("case_id", result.case_id),
            ("source", result.source),
            ("fiscal_year", result.fiscal_year),
        )
    )
    name = _attr(result.case_id or result.file)
    head = (
        f"<testcase classname={_attr(classname)} name={name}"
        f' time="{result.seconds:.6f}"><properties>{props}</properties>'
    )
    first = result.text.splitlines()[0] if result.text else ""
    if result.status == "failed":
        body = f"<failure message={_attr(first)}>{_text(result.text)}</failure>"
    elif result.status == "error":
        body = f"<error message={_attr(first)}>{_text(result.text)}</error>"
    elif result.status == "xfailed":
        body = f'<skipped type="pytest.xfail" message={_attr(first)} />'
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
