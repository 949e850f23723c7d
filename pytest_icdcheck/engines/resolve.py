"""Turn ``--icd-engine SPEC`` into an engine object (CONTRACT §5).

Order: names registered by plugins (``pytest_icdcheck_engines`` hook), then the
``pytest_icdcheck.engines`` entry-point group (the shipped ``reference`` is one), then
``package.module:attr``. ``cmd:`` and ``http(s)://`` are out-of-process adapters.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points
from typing import Any

from pytest_icdcheck.errors import EngineSpecError

DEFAULT_ENGINE = "reference"
ENTRY_POINT_GROUP = "pytest_icdcheck.engines"


def resolve_engine(
    spec: str,
    registered: Iterable[Mapping[str, Any]] = (),
    *,
    timeout: float = 30.0,
    option: str = "--icd-engine",
    concurrency: int = 1,
    rate: float | None = None,
) -> Any:
    """An engine instance for ``spec``; EngineSpecError says what is wrong and the fix.

    For out-of-process engines (cmd:, http://): ``timeout`` is the per-case limit,
    ``concurrency`` the requests in flight at most, ``rate`` the requests a second at most.
    ``option`` is how messages name the option the user gave ``spec`` with.
    """
    try:
        return _resolve(spec, registered, timeout, concurrency, rate)
    except EngineSpecError as exc:
        if option == "--icd-engine":
            raise
        raise EngineSpecError(str(exc).replace("--icd-engine", option)) from None


def _resolve(
    spec: str,
    registered: Iterable[Mapping[str, Any]],
    timeout: float,
    concurrency: int,
    rate: float | None,
) -> Any:
    from pytest_icdcheck.limits import engine_spec_problem

    spec = spec.strip()
    problem = engine_spec_problem("--icd-engine", spec)
    if problem:
        raise EngineSpecError(problem)
    if spec.startswith("cmd:"):
        from pytest_icdcheck.engines.subprocess_engine import CommandEngine

        return CommandEngine(
            spec[len("cmd:") :], timeout=timeout, spec=spec, concurrency=concurrency, rate=rate
        )
    if spec.lower().startswith(("http://", "https://")):
        from pytest_icdcheck.engines.http_engine import HttpEngine

        return HttpEngine(spec, timeout=timeout, concurrency=concurrency, rate=rate)
    names = _named_engines(registered)
    if spec in names:
        return _instantiate(spec, names[spec])
    if ":" in spec:
        return _instantiate(spec, _import_attr(spec))
    known = ", ".join(sorted(names)) or "(none)"
    raise EngineSpecError(
        f"--icd-engine {spec!r}: no engine of that name (known: {known}); "
        "name an installed engine or give package.module:attr"
    )


def _named_engines(registered: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        names[ep.name] = ep
    for mapping in registered:  # plugins win over entry points
        names.update(mapping)
    return names


def _import_attr(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise EngineSpecError(f"--icd-engine {spec!r}: write it as package.module:attr")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineSpecError(
            f"--icd-engine {spec!r}: cannot import {module_name!r} ({exc}); is it installed "
            "or on sys.path (e.g. pythonpath in pytest's ini, or a conftest.py beside it)?"
        ) from None
    except Exception as exc:
        raise EngineSpecError(
            f"--icd-engine {spec!r}: importing {module_name!r} raised {type(exc).__name__}: {exc}"
        ) from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise EngineSpecError(
                f"--icd-engine {spec!r}: module {module_name!r} has no attribute {attr!r}"
            ) from None
    return obj


def _instantiate(spec: str, target: Any) -> Any:
    """A class or factory is called with no arguments; an instance is used as it is."""
    if hasattr(target, "load") and hasattr(target, "group"):  # an entry point
        try:
            target = target.load()
        except Exception as exc:
            raise EngineSpecError(
                f"--icd-engine {spec!r}: loading its entry point raised {type(exc).__name__}: {exc}"
            ) from None
    engine = target
    if inspect.isclass(target) or (callable(target) and not _is_engine(target)):
        factory: Callable[[], Any] = target
        try:
            engine = factory()
        except Exception as exc:
            raise EngineSpecError(
                f"--icd-engine {spec!r}: creating the engine raised {type(exc).__name__}: {exc}"
            ) from None
    if not _is_engine(engine):
        raise EngineSpecError(
            f"--icd-engine {spec!r}: {type(engine).__name__} has no run(encounter) method "
            "(CONTRACT §5: describe() and run(); run_many() and close() are optional)"
        )
    return engine


def _is_engine(obj: Any) -> bool:
    return not inspect.isclass(obj) and callable(getattr(obj, "run", None))
