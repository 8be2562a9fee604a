"""Moved to backends/frictionless/ (a shim until engines are looked up there)."""

from isf_claims.validation.backends.frictionless import check as run, contract  # noqa: F401, I001
