"""pytest-icdcheck: golden tests for ICD-10-CM / CPT coding engines.

Kept import-free on purpose: the pytest11 entry point loads this package into
every pytest run of an environment it is installed in.
"""

__version__ = "0.1.0"
