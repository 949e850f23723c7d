"""`icdcheck run`'s settings, read as pytest reads the plugin's: the command line, then
the ini file pytest would use for these paths, then the default (CONTRACT v2 §5a).

The one place an option of both is read: a new one (e.g. ``icd_concurrency``) is a line
in ``INI_DEFAULTS`` and a field where it is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_icdcheck.errors import EngineSpecError

# ini name -> default, as the plugin's parser.addini declares them
INI_DEFAULTS: dict[str, str] = {
    "icd_engine": "reference",
    "icd_timeout": "30",
    "icd_concurrency": "1",
    "icd_rate": "",
}


@dataclass(frozen=True)
class IniSettings:
    values: dict[str, str]  # every name of INI_DEFAULTS: the file's value or the default
    given: frozenset[str]  # the names the file sets
    inipath: Path | None
    rootdir: Path

    def origin(self, name: str) -> str:
        """How a message names where a value came from."""
        if self.inipath is not None and name in self.given:
            return f"{name} in {self.inipath}"
        return name

    def pick(self, name: str, given: str | None, option: str) -> tuple[str, str]:
        """The value of a setting — the command line's, else the ini file's, else the
        default — and how a message names where it came from."""
        if given is not None:
            return given, option
        return self.values[name], self.origin(name)


def read_ini(paths: Sequence[Path]) -> IniSettings:
    """The plugin's ini settings from the file pytest would pick for ``paths`` (pytest.ini,
    pyproject.toml [tool.pytest.ini_options], tox.ini, setup.cfg; rootdir/inifile rules)."""
    args = [str(p) for p in paths]
    try:  # pytest's own lookup, without loading any plugin (a private API: guarded)
        from _pytest.config.findpaths import determine_setup

        rootdir, inipath, config, _ = determine_setup(
            inifile=None,
            override_ini=None,
            args=args,
            rootdir_cmd_arg=None,
            invocation_dir=Path.cwd(),
        )
    except (ImportError, TypeError, ValueError):
        return _read_ini_through_a_pytest_config(args)
    given = {name: _text(config[name]) for name in INI_DEFAULTS if name in config}
    return IniSettings({**INI_DEFAULTS, **given}, frozenset(given), inipath, rootdir)


def _read_ini_through_a_pytest_config(args: Sequence[str]) -> IniSettings:
    """The slower public way: a whole pytest configuration (plugins loaded)."""
    from _pytest.config import _prepareconfig

    config = _prepareconfig([*args, "-p", "no:cacheprovider"])
    try:
        values = {name: _text(config.getini(name)) for name in INI_DEFAULTS}
        given = frozenset(n for n in INI_DEFAULTS if config.inicfg.get(n) is not None)
        return IniSettings(values, given, config.inipath, config.rootpath)
    finally:
        config._ensure_unconfigure()


def _text(value: Any) -> str:
    """pytest >= 9 wraps ini values (ConfigValue); a pyproject value may be a number."""
    value = getattr(value, "value", value)
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


class PluginEngines:
    """Engines offered through the ``pytest_icdcheck_engines`` hook by the plugins pytest
    would load for these paths (installed plugins, conftest.py files).

    Iterated only when an engine is looked up by name, so a run of `cmd:`, `http://` or
    `module:attr` builds no pytest configuration; picklable for worker processes.
    """

    def __init__(self, args: Sequence[str]) -> None:
        self.args = tuple(args)
        self._found: list[Mapping[str, Any]] | None = None

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        if self._found is None:
            self._found = _hook_results(self.args)
        return iter(self._found)

    def __getstate__(self) -> dict[str, Any]:
        return {"args": self.args, "_found": None}


def _hook_results(args: Sequence[str]) -> list[Mapping[str, Any]]:
    import pytest
    from _pytest.config import _prepareconfig

    try:
        config = _prepareconfig([*args, "-p", "no:cacheprovider"])
    except (pytest.UsageError, Exception) as exc:
        raise EngineSpecError(
            f"reading the pytest plugins for engine names failed: {type(exc).__name__}: {exc}"
        ) from None
    try:
        return list(config.hook.pytest_icdcheck_engines())
    finally:
        config._ensure_unconfigure()
