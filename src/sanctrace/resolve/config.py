"""Schema and loader for ``sanctrace/config/matching.yaml``.

Word lists and weights are data an analyst tunes per case; the schema catches a typo in the file
at load time instead of letting a misspelt key silently fall back to a default.
"""

from __future__ import annotations

from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sanctrace.errors import UserError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weights(_Strict):
    generic_weight: float = Field(ge=0.0, le=1.0)
    token_similarity_min: float = Field(gt=0.0, le=1.0)
    country_mismatch_penalty: float = Field(ge=0.0, le=1.0)
    identifier_conflict_penalty: float = Field(ge=0.0, le=1.0)
    report_floor: float = Field(ge=0.0, le=1.0)
    name_max: float = Field(gt=0.0, le=1.0)


class SupportRule(_Strict):
    """When several numbered declaration parties claim one unnumbered spelling, the dominant one takes
    it: at least ``min_mentions`` mentions under the disputed name and ``ratio`` times the mentions of
    all other claimants together (decision 0016). Otherwise the spelling stays apart (0006)."""

    ratio: float = Field(gt=1.0)  # > 1: a tie must never pick a side
    min_mentions: int = Field(ge=1)


class Blocking(_Strict):
    prefix_length: int = Field(ge=2)
    max_candidates: int = Field(ge=1)
    # Declaration-party dedup: clusters sharing a (country, word) block of at most this many clusters
    # are compared by the matcher and merged at or above dedup_threshold.
    dedup_block_max: int = Field(default=20, ge=2)
    dedup_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    dedup_support: SupportRule


class TokenWeights(_Strict):
    min_names: int = Field(ge=1)
    floor: float = Field(gt=0.0, le=1.0)


class Model(_Strict):
    """Logistic model of resolve/matcher.py: score = sigmoid(bias + sum(weight * feature))."""

    identifier_decides: bool
    match_threshold: float = Field(ge=0.0, le=1.0)
    bias: float
    weights: tuple[tuple[str, float], ...]

    @field_validator("weights", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        return tuple(value.items()) if isinstance(value, dict) else value

    def weight(self, feature: str) -> float:
        return dict(self.weights).get(feature, 0.0)


class MatchingConfig(_Strict):
    legal_form_tokens: frozenset[str]
    cjk_legal_forms: tuple[str, ...]
    transliteration_folds: tuple[tuple[str, str], ...]
    romanisation_letters: tuple[tuple[str, str], ...]
    ending_folds: tuple[tuple[str, str], ...]
    abbreviations: tuple[tuple[str, str], ...]
    loanwords: tuple[tuple[str, str], ...]
    loanword_suffixes: tuple[tuple[str, str], ...]
    romanisations: tuple[tuple[str, str], ...]
    translations: tuple[tuple[str, str], ...]
    generic_words: frozenset[str]
    weights: Weights
    token_weights: TokenWeights
    model: Model
    blocking: Blocking

    def __hash__(self) -> int:
        return self.cache_hash

    @cached_property
    def cache_hash(self) -> int:
        """names.py's caches key on the config, a lookup per word: hashing every table each time cost
        more than the cached work. A few plain fields suffice (equal configs still hash equal), hashed
        once (the model is frozen); equality stays exact."""
        blocking = self.blocking
        return hash(
            (
                self.model.bias,
                self.model.match_threshold,
                len(self.abbreviations),
                blocking.prefix_length,
                blocking.max_candidates,
            )
        )

    @field_validator(
        "transliteration_folds",
        "romanisation_letters",
        "ending_folds",
        "abbreviations",
        "loanwords",
        "loanword_suffixes",
        "romanisations",
        "translations",
        mode="before",
    )
    @classmethod
    def _pairs(cls, value: object) -> object:
        # Written as a YAML mapping; kept as pairs so the config stays hashable (names.py caches on it).
        return tuple(value.items()) if isinstance(value, dict) else value

    @field_validator("loanword_suffixes", "translations", mode="after")
    @classmethod
    def _longest_first(cls, value: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(value, key=lambda pair: (-len(pair[0]), pair[0])))


def with_model(config: MatchingConfig, bias: float, weights: dict[str, float]) -> MatchingConfig:
    """A copy of ``config`` with other model weights (what the benchmark's fit produces)."""
    model = config.model.model_copy(update={"bias": bias, "weights": tuple(weights.items())})
    return config.model_copy(update={"model": model})


def load_matching_config(path: Path | None = None) -> MatchingConfig:
    """Read and validate a matching config; ``None`` reads the one shipped with the package."""
    if path is None:
        text = resources.files("sanctrace").joinpath("config", "matching.yaml").read_text("utf-8")
        origin = "sanctrace/config/matching.yaml"
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise UserError(f"cannot read matching config {path}: {exc}") from exc
        origin = str(path)
    try:
        return MatchingConfig.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise UserError(f"invalid matching config {origin}: {exc}") from exc


@cache
def default_config() -> MatchingConfig:
    return load_matching_config()
