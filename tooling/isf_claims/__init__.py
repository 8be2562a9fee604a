"""isf-claims: an annotated news corpus and the tooling that validates, converts and releases it."""

from typing import Any

from isf_claims.errors import IsfError

__all__ = ["IsfError", "__version__", "load"]
__version__ = "0.1.0"


def load(
    config: str = "documents",
    version: str | None = None,
    path: Any = None,
    cache_dir: Any = None,
    standoff: bool | None = None,
) -> Any:
    """A release as a ``datasets.DatasetDict``, verified against its SHA256SUMS first;
    ``standoff=True`` loads the standoff release (no article texts) instead of the full one
    (see :func:`isf_claims.release.load.load`; imported lazily to keep the CLI fast)."""
    from isf_claims.release.load import load as _load

    return _load(config, version=version, path=path, cache_dir=cache_dir, standoff=standoff)
