"""Bootstrap confidence intervals over documents (the corpus is small, so a figure's spread
over which documents happen to be in it is worth stating).

Documents are resampled with replacement (as many as there are), ``resamples`` times, from a
``numpy`` generator seeded with ``seed``; each statistic is recomputed from the resampled
documents' summed counts, and the interval is the percentile interval at ``level``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
SEED = 0
LEVEL = 0.95
_CHUNK = 100


@dataclass(frozen=True)
class Bootstrap:
    resamples: int = RESAMPLES
    seed: int = SEED
    level: float = LEVEL

    def describe(self) -> dict[str, object]:
        return {
            "unit": "document",
            "resamples": self.resamples,
            "seed": self.seed,
            "level": self.level,
            "method": "percentile; documents drawn by numpy.random.default_rng(seed).integers",
        }

    def intervals(
        self, per_doc: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray | None:
        """``[statistic, (low, high)]`` for ``statistic`` of summed per-document counts
        (``per_doc``: ``[doc, ...]``; ``statistic`` maps ``[resample, ...]`` sums to
        ``[resample, k]``, NaN where a resample leaves it undefined; such resamples are left out
        of that statistic's interval). None with no document or no resample."""
        n = per_doc.shape[0]
        if n == 0 or self.resamples <= 0:
            return None
        rng = np.random.default_rng(self.seed)
        flat = per_doc.reshape(n, -1).astype(np.float64)
        stats = []
        for start in range(0, self.resamples, _CHUNK):
            size = min(_CHUNK, self.resamples - start)
            draws = rng.integers(0, n, size=(size, n)) + (np.arange(size) * n)[:, None]
            weights = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n)
            weights = weights.astype(np.float64)
            sums = (weights @ flat).reshape(size, *per_doc.shape[1:])
            stats.append(statistic(sums))
        values = np.concatenate(stats, axis=0)
        alpha = (1.0 - self.level) / 2.0
        with np.errstate(all="ignore"):  # a statistic undefined in every resample: NaN
            low = np.nanquantile(values, alpha, axis=0)
            high = np.nanquantile(values, 1 - alpha, axis=0)
        return np.stack([low, high], axis=-1)
