"""Shared test configuration: the plugin tests run real pytest sessions through pytester."""

# pytester's in-process runs drop every module a run imported once it ends. PyYAML's C
# extension cannot be imported twice (a second `import yaml` pairs new node classes with
# the old C parser), so the libraries the plugin loads lazily are imported here, once.
import jsonschema  # noqa: F401
import yaml  # noqa: F401

try:  # numpy (deepdiff uses it when present; hccpy needs it) refuses a second import too
    import numpy  # noqa: F401
except ImportError:
    pass

pytest_plugins = ["pytester"]
