"""isf-claims: an annotated news corpus and the tooling that validates, converts and releases it."""

from isf_claims.errors import IsfError

__all__ = ["IsfError", "__version__"]
__version__ = "0.1.0"
