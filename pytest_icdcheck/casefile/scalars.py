"""Which scalars of a case file are codes, and which words mean null: the rules both YAML
readers (yamlfile with PyYAML, fastyaml line by line) apply, so that they read alike."""

from __future__ import annotations

# Keys whose scalar value is a code, and keys whose list items are codes.
CODE_KEYS = frozenset({"code", "due_to", "mdc"})
CODE_LIST_KEYS = frozenset({"diagnoses", "codes", "modifiers", "categories"})

# YAML 1.1's plain scalars for null.
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
