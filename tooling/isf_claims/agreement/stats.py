"""Plain agreement statistics: F1, Cohen's kappa, Krippendorff's alpha (nominal)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den else None


def prf(tp_p: int, n_b: int, tp_r: int, n_a: int) -> dict[str, float | int | None]:
    """Precision (B against A), recall, F1; ``tp_p``/``tp_r`` are the matched counts on the
    B and A side (equal for one-to-one matching)."""
    p, r = ratio(tp_p, n_b), ratio(tp_r, n_a)
    if p is None or r is None:  # one side has none: F1 is 0 unless both are empty
        f1 = 0.0 if n_a + n_b else None
    else:
        f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"a": n_a, "b": n_b, "matched": tp_r, "precision": p, "recall": r, "f1": f1}


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two equal-length label arrays. When chance agreement is 1 (both
    coders used one and the same label throughout) kappa is undefined; it is reported as 1.0,
    since the coders agree on every item."""
    if len(a) == 0:
        return None
    labels, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    ca, cb = codes[: len(a)], codes[len(a) :]
    po = float(np.mean(ca == cb))
    pa = np.bincount(ca, minlength=len(labels)) / len(a)
    pb = np.bincount(cb, minlength=len(labels)) / len(b)
    pe = float(pa @ pb)
    if pe == 1.0:
        return 1.0 if po == 1.0 else None
    return (po - pe) / (1 - pe)


def krippendorff_alpha(a: np.ndarray, b: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) of two coders, with the maintained ``krippendorff``."""
    import krippendorff

    if len(a) == 0:
        return None
    _labels, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    data = codes.reshape(2, len(a)).astype(float)
    if len(np.unique(codes)) < 2:
        return 1.0 if np.array_equal(data[0], data[1]) else None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def percent(a: Sequence[object], b: Sequence[object]) -> float | None:
    return ratio(sum(x == y for x, y in zip(a, b, strict=True)), len(a))
