"""Case ids are unique in the whole run (CONTRACT §1): the one check of it.

A module of its own, importing nothing, so the plugin's run state can hold it without
loading the case-file reader at start-up.
"""

from __future__ import annotations


class CaseIds:
    """Where each case id was first used in a run, and the problem of a repeat: the one
    check the plugin, `icdcheck run` and `icdcheck validate` all make."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[str, int]] = {}

    def repeat(self, name: str, file: str, line: int) -> tuple[str, str] | None:
        """For a repeated id: the problem, and the file of its first use; else None.

        ``name`` is the case's name: a case without a usable id is named ``cases[N]``
        and has no id to repeat (two files' ``cases[0]`` are no clash).
        """
        if name.startswith("cases["):
            return None
        first = self._first.setdefault(name, (file, line))
        if first == (file, line):
            return None
        problem = (
            f"{file}:{line}: case id {name!r} is already used at {first[0]}:{first[1]}; "
            "ids must be unique in the run: rename one"
        )
        return problem, first[0]
