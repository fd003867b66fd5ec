"""Logistic fit and reliability bins used to calibrate the matcher."""

from __future__ import annotations

import math
import random

import pytest

from sanctrace.resolve.calibration import expected_calibration_error, fit_logistic, reliability
from sanctrace.resolve.matcher import sigmoid


def test_fit_recovers_known_weights() -> None:
    rng = random.Random(7)
    rows, labels = [], []
    for _ in range(4000):
        x = [rng.random(), rng.random()]
        p = sigmoid(-2.0 + 3.0 * x[0] - 1.5 * x[1])
        rows.append(x)
        labels.append(1 if rng.random() < p else 0)
    bias, weights = fit_logistic(rows, labels, l2=0.01)
    assert bias == pytest.approx(-2.0, abs=0.4)
    assert weights[0] == pytest.approx(3.0, abs=0.5)
    assert weights[1] == pytest.approx(-1.5, abs=0.5)


def test_penalty_keeps_a_separating_feature_finite() -> None:
    rows = [[1.0], [1.0], [0.0], [0.0]]
    _, weights = fit_logistic(rows, [0, 0, 1, 1], l2=1.0)
    assert math.isfinite(weights[0]) and weights[0] < -0.5
    unpenalised = fit_logistic(rows, [0, 0, 1, 1], l2=1e-3)[1][0]
    assert math.isfinite(unpenalised) and unpenalised < weights[0]


def test_reliability_bins_and_calibration_error() -> None:
    scores = [0.05, 0.15, 0.95, 0.95]
    labels = [0, 0, 1, 1]
    bins = reliability(scores, labels)
    assert [(b.low, b.count, b.positive_rate) for b in bins] == [(0.0, 1, 0.0), (0.1, 1, 0.0), (0.9, 2, 1.0)]
    assert expected_calibration_error(scores, labels) == pytest.approx((0.05 + 0.15 + 2 * 0.05) / 4)
