"""Fit the matcher's logistic weights on labelled pairs and check how well its scores are calibrated.

Plain Python on purpose (a handful of features, a few thousand pairs): Newton's method with an L2
penalty, which also keeps weights finite when a feature separates the classes perfectly (a
conflicting registration number never occurs on a true pair in the labelled set).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sanctrace.resolve.matcher import sigmoid


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve ``matrix @ x = vector`` by Gaussian elimination with partial pivoting."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                for k in range(col, n + 1):
                    a[r][k] -= factor * a[col][k]
    return [a[i][n] / a[i][i] if abs(a[i][i]) >= 1e-12 else 0.0 for i in range(n)]


def fit_logistic(
    rows: Sequence[Sequence[float]], labels: Sequence[int], *, l2: float = 1.0, iterations: int = 50
) -> tuple[float, list[float]]:
    """Bias and weights minimising log-loss + ``l2``/2 * |weights|² (the bias is not penalised)."""
    if not rows:
        raise ValueError("no rows to fit")
    width = len(rows[0]) + 1
    beta = [0.0] * width
    data = [[1.0, *row] for row in rows]
    for _ in range(iterations):
        gradient = [0.0] * width
        hessian = [[0.0] * width for _ in range(width)]
        for x, y in zip(data, labels, strict=True):
            p = sigmoid(sum(b * v for b, v in zip(beta, x, strict=True)))
            w = p * (1 - p)
            for i in range(width):
                gradient[i] += (p - y) * x[i]
                for j in range(i, width):
                    hessian[i][j] += w * x[i] * x[j]
        for i in range(width):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
            if i:
                gradient[i] += l2 * beta[i]
                hessian[i][i] += l2
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return beta[0], beta[1:]


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_score: float
    positive_rate: float


def reliability(scores: Sequence[float], labels: Sequence[int], bins: int = 10) -> list[Bin]:
    """Scores grouped in equal-width bins: a calibrated scorer has mean_score ≈ positive_rate."""
    grouped: list[list[tuple[float, int]]] = [[] for _ in range(bins)]
    for score, label in zip(scores, labels, strict=True):
        grouped[min(bins - 1, int(score * bins))].append((score, label))
    return [
        Bin(i / bins, (i + 1) / bins, len(g), sum(s for s, _ in g) / len(g), sum(y for _, y in g) / len(g))
        for i, g in enumerate(grouped)
        if g
    ]


def expected_calibration_error(scores: Sequence[float], labels: Sequence[int], bins: int = 10) -> float:
    """Count-weighted mean gap between mean score and positive rate over the reliability bins."""
    total = len(scores)
    if not total:
        return math.nan
    return (
        sum(b.count * abs(b.mean_score - b.positive_rate) for b in reliability(scores, labels, bins)) / total
    )
