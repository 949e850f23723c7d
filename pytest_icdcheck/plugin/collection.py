"""pytest collectors: a `*.icd.yaml` file and one item per case (node id `FILE::id`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_icdcheck.casefile.cache import read_cases_cached
from pytest_icdcheck.casefile.cases import Case, CaseFileError
from pytest_icdcheck.plugin.runahead import RunAhead
from pytest_icdcheck.plugin.stash import RUN_AHEAD, run_state
from pytest_icdcheck.verdict.outcome import PASSED, judge
from pytest_icdcheck.verdict.state import RunState


class CaseFailure(Exception):
    """A case that did not pass; the message is the complete text the user reads."""


class CaseFile(pytest.File):
    def collect(self) -> Iterator[CaseItem]:
        state = run_state(self.config)
        if not self.config.option.collectonly:
            state.start_engines()  # a cmd: process starts while the other files are collected
        try:
            cases = read_cases_cached(self.path, _shown(self), _cache_folder(self.config))
        except CaseFileError as exc:
            raise self.CollectError(str(exc)) from None
        names: set[str] = set()
        for case in cases:
            _check_unique(case, state, names)
            names.add(case.name)
            yield CaseItem.from_parent(self, name=case.name, case=case)


def _cache_folder(config: pytest.Config) -> Path | None:
    """pytest's cache folder for parsed case files; None with -p no:cacheprovider."""
    cache = getattr(config, "cache", None)
    if cache is None:
        return None
    folder: Path = cache.mkdir("icdcheck-cases")
    return folder


def _shown(node: pytest.File) -> str:
    """The file as the user named it: relative to where pytest was started, if inside."""
    try:
        return str(node.path.relative_to(node.config.invocation_params.dir))
    except ValueError:
        return str(node.path)


def _check_unique(case: Case, state: RunState, names_in_file: set[str]) -> None:
    """Ids are unique in the whole run; a repeat fails as that case, naming both places."""
    repeat = state.ids.repeat(case.name, case.file, case.line)
    if repeat is None:
        return
    case.problems.append(repeat[0])
    if case.name in names_in_file:
        case.name = f"cases[{case.index}]"  # keep node ids unique within the file


def _registered_markers(config: pytest.Config) -> frozenset[str]:
    """Marker names from the ini (tags that are markers work with -m), read once a run."""
    state = run_state(config)
    if state.markers is None:
        state.markers = frozenset(
            line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")
        )
    return state.markers


def _run_ahead(session: pytest.Session, state: RunState) -> RunAhead:
    ahead = session.config.stash.get(RUN_AHEAD, None)
    if ahead is None:
        ahead = session.config.stash[RUN_AHEAD] = RunAhead(session, state)
    return ahead


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.icdcheck_outcome: dict[str, Any] = {}
        self.extra_keyword_matches.update(case.tags)
        registered = _registered_markers(self.config)
        for tag in case.tags:
            if tag in registered:
                self.add_marker(tag)
        if case.xfail:
            self.add_marker(pytest.mark.xfail(reason=case.xfail, strict=False))
        self.user_properties += [
            ("case_id", case.name),
            ("source", case.source),
            ("fiscal_year", str(case.fiscal_year or "")),
        ]

    def runtest(self) -> None:
        state = run_state(self.config)
        if state.limits.concurrency > 1:
            _run_ahead(self.session, state).before(self)
        outcome = judge(self.case, state, verbose=self.config.get_verbosity() >= 2)
        self.icdcheck_outcome = outcome.info  # travels with the report: see plugin.py
        if outcome.status != PASSED:
            raise CaseFailure(outcome.text)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, self.case.line - 1, f"case {self.case.name}"
