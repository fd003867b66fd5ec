"""Compare two parties and say how likely they are the same, feature by feature.

Modelled on nomenklatura's logic-v2: every feature is a documented pure function of the two prepared
records, returning a value in [0, 1] and a short detail; the weights are data (``model`` in
``config/matching.yaml``). Unlike logic-v2, the score is a calibrated probability: a logistic model
``sigmoid(bias + sum(weight * value))`` whose weights are fitted on labelled pairs
(``python -m benchmarks.matching --fit``), so 0.9 means about 9 in 10 such pairs are the same
party, and scores spread out instead of bunching at 1.0. One rule stands outside the model: a shared
valid registration number (INN, OGRN, LEI, IMO ...) decides (score 1.0) when ``identifier_decides``.

Each result carries, per feature, its value, its weight and its contribution to the log-odds, so an
analyst can see why a pair scored what it did.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from sanctrace.resolve.config import MatchingConfig, default_config
from sanctrace.resolve.names import TokenWeights, name_tokens, phonetic_tokens

WeightFn = Callable[[str], float]
# Ceilings come from sums taken in another order than the matcher's: a margin far above their error.
_CEILING_MARGIN = 1e-9
# rapidfuzz's cutoffs are applied below the threshold by this much, and the threshold tested after.
_RATIO_MARGIN = 1e-6


class NameCeiling(NamedTuple):
    """Upper bounds on what one candidate name can reach against a one-name query: align's Dice and
    the phonetic overlap (resolve/prefilter.py proves them). With them the matcher visits a party's
    names best-first and stops at the first that cannot beat the best found; the result is the same
    as visiting all of them, and a party listed under twenty aliases costs a few alignments."""

    dice: float
    phonetic: float


@dataclass(frozen=True, slots=True)
class Record:
    """One side of a comparison: names already tokenised, valid decisive identifiers only."""

    names: tuple[tuple[str, tuple[str, ...]], ...]  # (name as written, name_tokens)
    country: str | None = None
    identifiers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # scheme -> values
    # The numbers in each name (see name_numbers), which two features and the score bound read for
    # every pair: worked out once per record rather than per pair.
    numbers: frozenset[frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        found = frozenset(_token_numbers(tokens) for _, tokens in self.names) - {frozenset()}
        object.__setattr__(self, "numbers", found)


def prepare(
    names: Iterable[str],
    *,
    country: str | None = None,
    identifiers: Mapping[str, Iterable[str]] | None = None,
    config: MatchingConfig | None = None,
) -> Record:
    """A record from raw names (any script), a country code and already validated identifiers."""
    cfg = config or default_config()
    prepared = []
    for name in dict.fromkeys(names):
        tokens = tuple(name_tokens(name, cfg))
        if tokens:
            prepared.append((name, tokens))
    ids = {scheme: frozenset(values) for scheme, values in (identifiers or {}).items() if values}
    return Record(tuple(prepared), country.upper() if country else None, ids)


# Alignment, Pair, FeatureResult and MatchResult are named tuples rather than frozen dataclasses: as
# immutable, but built in a quarter of the time (a frozen dataclass sets each field through
# object.__setattr__), and screening builds about fifteen of them per scored pair.


class Alignment(NamedTuple):
    """The best-aligned pair of names of two records, with the token pairs that aligned."""

    query: str
    candidate: str
    dice: float  # weighted soft Dice overlap
    coverage: float  # the smaller of the two sides' weighted share of aligned tokens
    containment: float  # the larger of the two: one name inside the other
    pairs: tuple[str, ...]


def align(
    query: tuple[str, ...], candidate: tuple[str, ...], weight: WeightFn, similarity_min: float
) -> tuple[float, float, float, tuple[str, ...]]:
    """Weighted soft Dice overlap of two token lists, the smaller and the larger side coverage (share
    of a side's weight that aligned), and the aligned pairs.

    Tokens align one-to-one, most similar first, when their rapidfuzz ratio reaches ``similarity_min``;
    an aligned pair counts its similarity times the weights of both tokens.
    """
    q_weights, q_total = name_weights(query, weight)
    c_weights, c_total = name_weights(candidate, weight)
    if q_total + c_total == 0:
        return 0.0, 0.0, 0.0, ()
    # One rapidfuzz call per query word finds the candidate words near it (the cutoff a hair below the
    # threshold, so that the test below decides exactly as it would on every pair): a Python loop
    # over all word pairs costs several times more on long names.
    cutoff = similarity_min * 100.0 - _RATIO_MARGIN
    scored = []
    for i, q in enumerate(query):
        for _c, ratio, j in process.extract(
            q, candidate, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
        ):
            similarity = ratio / 100.0
            if similarity >= similarity_min:
                scored.append((-similarity, i, j))
    scored.sort()  # most similar first, then by position: (i, j) is unique, so the order is total
    used_q: set[int] = set()
    used_c: set[int] = set()
    q_matched = c_matched = 0.0
    pairs = []
    for negated, i, j in scored:
        if i in used_q or j in used_c:
            continue
        similarity = -negated
        used_q.add(i)
        used_c.add(j)
        q_matched += similarity * q_weights[i]
        c_matched += similarity * c_weights[j]
        pairs.append(f"{query[i]}={candidate[j]}" if similarity == 1 else f"{query[i]}~{candidate[j]}")
    dice = (q_matched + c_matched) / (q_total + c_total)
    # Words glued on one side and split on the other ("MILITARYTECHNICAL" / "MILITARY-TECHNICAL",
    # "FLYBRIDGE" / "FLY BRIDGE"): an unaligned word against two adjacent unaligned words.
    for one, two, used_one, used_two, swap in (
        (query, candidate, used_q, used_c, False),
        (candidate, query, used_c, used_q, True),
    ):
        for i, word in enumerate(one):
            if i in used_one:
                continue
            for j in range(len(two) - 1):
                if j in used_two or j + 1 in used_two:
                    continue
                similarity = fuzz.ratio(word, two[j] + two[j + 1]) / 100.0
                if similarity < similarity_min:
                    continue
                used_one.add(i)
                used_two.update((j, j + 1))
                single = similarity * weight(word)
                double = similarity * (weight(two[j]) + weight(two[j + 1]))
                q_matched += double if swap else single
                c_matched += single if swap else double
                pairs.append(f"{word}~{two[j]}+{two[j + 1]}")
                break
    sides = (q_matched / q_total if q_total else 0.0, c_matched / c_total if c_total else 0.0)
    return dice, min(sides), max(sides), tuple(pairs)


@lru_cache(maxsize=200_000)
def name_weights(tokens: tuple[str, ...], weight: WeightFn) -> tuple[tuple[float, ...], float]:
    """Each word's weight and their sum, computed once per name (the matcher and the score bound of
    prefilter.py meet the same names in pair after pair)."""
    weights = tuple(map(weight, tokens))
    return weights, sum(weights)


class Pair(NamedTuple):
    """What the feature functions look at: both records, the best name alignment, the token weights."""

    query: Record
    candidate: Record
    best: Alignment | None
    weight: WeightFn
    config: MatchingConfig
    ceilings: Sequence[NameCeiling] | None = None  # per candidate name, for a one-name query


def _best_first(ceilings: Sequence[NameCeiling], part: int) -> list[int]:
    """Candidate name positions by decreasing ceiling on ``part``, in position order among equals."""
    return sorted(range(len(ceilings)), key=lambda n: -ceilings[n][part])


def compare_names(
    query: Record,
    candidate: Record,
    weight: WeightFn,
    config: MatchingConfig,
    ceilings: Sequence[NameCeiling] | None = None,
) -> Alignment | None:
    """The name pair (one from each record) with the highest weighted overlap; among equals, the first.

    With ``ceilings`` (a one-name query) the candidate's names are aligned best-first, up to the first
    whose Dice ceiling is below the best Dice found: no later name could beat or tie it.
    """
    if ceilings is not None and len(query.names) == 1:
        return _compare_best_first(query.names[0], candidate, weight, config, ceilings)
    best: Alignment | None = None
    for q_name, q_tokens in query.names:
        for c_name, c_tokens in candidate.names:
            dice, coverage, containment, pairs = align(
                q_tokens, c_tokens, weight, config.weights.token_similarity_min
            )
            if best is None or (dice, coverage) > (best.dice, best.coverage):
                best = Alignment(q_name, c_name, dice, coverage, containment, pairs)
    return best


def _compare_best_first(
    query: tuple[str, tuple[str, ...]],
    candidate: Record,
    weight: WeightFn,
    config: MatchingConfig,
    ceilings: Sequence[NameCeiling],
) -> Alignment | None:
    """compare_names for one query name, visiting the candidate's names by decreasing Dice ceiling;
    a tie goes to the name listed first, as in the plain loop."""
    q_name, q_tokens = query
    best: Alignment | None = None
    best_at = -1
    for n in _best_first(ceilings, 0):
        if best is not None and ceilings[n].dice + _CEILING_MARGIN < best.dice:
            break
        c_name, c_tokens = candidate.names[n]
        dice, coverage, containment, pairs = align(
            q_tokens, c_tokens, weight, config.weights.token_similarity_min
        )
        key = (dice, coverage)
        if (
            best is None
            or key > (best.dice, best.coverage)
            or (key == (best.dice, best.coverage) and n < best_at)
        ):
            best, best_at = Alignment(q_name, c_name, dice, coverage, containment, pairs), n
    return best


# --- features: pure functions of a Pair, each returning (value in [0, 1], detail) -------------------


def name_overlap(pair: Pair) -> tuple[float, str]:
    """Weighted soft Dice overlap of the best name pair; frequent words (LTD, TRADE) weigh little."""
    best = pair.best
    if best is None or best.dice == 0:
        return 0.0, "no names aligned"
    return best.dice, f"{best.query!r} vs {best.candidate!r} ({', '.join(best.pairs)})"


def name_coverage(pair: Pair) -> tuple[float, str]:
    """Share of the weightier side's distinctive words that aligned: an extra distinctive word on
    either side ("ALFA" vs "OMEGA" before GLOBAL TRADING) keeps this low even when Dice is fair."""
    best = pair.best
    if best is None:
        return 0.0, "no names"
    return best.coverage, f"smaller side covered {best.coverage:.2f}"


def name_containment(pair: Pair) -> tuple[float, str]:
    """Share of the better-covered side's words that aligned: 1 when one name sits inside the other
    ("ELEKTROPRIBOR JSC" in "CONCERN CSRI ELEKTROPRIBOR JSC")."""
    best = pair.best
    if best is None:
        return 0.0, "no names"
    return best.containment, f"one side covered {best.containment:.2f}"


def name_phonetic(pair: Pair) -> tuple[float, str]:
    """Weighted overlap of metaphone codes over all name pairs: spellings that sound alike."""
    if pair.ceilings is not None and len(pair.query.names) == 1:
        return _phonetic_best_first(pair, pair.ceilings)
    best_value, detail = 0.0, "no phonetic overlap"
    candidates = [(c_name, name_sounds(c_tokens, pair.weight)) for c_name, c_tokens in pair.candidate.names]
    for q_name, q_tokens in pair.query.names:
        q_weights, q_total = name_sounds(q_tokens, pair.weight)
        for c_name, (c_weights, c_total) in candidates:
            total = q_total + c_total
            shared = q_weights.keys() & c_weights.keys()
            # Summed in a fixed order: over a set, the last bits (and so which tied name the detail
            # names) would change with the string hash seed from run to run.
            value = sum(q_weights[c] + c_weights[c] for c in sorted(shared)) / total if total else 0.0
            if value > best_value:
                best_value, detail = (
                    value,
                    f"{q_name!r} vs {c_name!r} sound alike ({', '.join(sorted(shared))})",
                )
    return best_value, detail


def _phonetic_best_first(pair: Pair, ceilings: Sequence[NameCeiling]) -> tuple[float, str]:
    """name_phonetic for one query name, visiting the candidate's names by decreasing ceiling up to
    the first that cannot reach the best value; a tie goes to the name listed first, as in the loop."""
    best_value, detail, best_at = 0.0, "no phonetic overlap", -1
    q_name, q_tokens = pair.query.names[0]
    q_weights, q_total = name_sounds(q_tokens, pair.weight)
    for n in _best_first(ceilings, 1):
        ceiling = ceilings[n].phonetic
        if ceiling <= 0.0 or ceiling + _CEILING_MARGIN < best_value:
            break  # no shared code (the value is 0, which never counts), or cannot reach the best
        c_name, c_tokens = pair.candidate.names[n]
        c_weights, c_total = name_sounds(c_tokens, pair.weight)
        total = q_total + c_total
        shared = q_weights.keys() & c_weights.keys()
        value = sum(q_weights[c] + c_weights[c] for c in sorted(shared)) / total if total else 0.0
        if value > best_value or (value == best_value and n < best_at):
            best_value, best_at = value, n
            detail = f"{q_name!r} vs {c_name!r} sound alike ({', '.join(sorted(shared))})"
    return best_value, detail


@lru_cache(maxsize=200_000)
def name_sounds(tokens: tuple[str, ...], weight: WeightFn) -> tuple[dict[str, float], float]:
    """A name's metaphone codes with the weight of their word (a code met twice keeps the last), and
    their total: computed once per name, like ``name_weights`` (callers must not mutate)."""
    codes = dict(zip(phonetic_tokens(tokens), name_weights(tokens, weight)[0], strict=True))
    return codes, sum(codes.values())


def name_joined(pair: Pair) -> tuple[float, str]:
    """Similarity of the names written without spaces, in order and sorted: "TAICHUNG" vs "TAI CHUNG",
    split or glued words and transliterated syllables."""
    best_value, detail = 0.0, "no names"
    for q_name, q_tokens in pair.query.names:
        q_plain, q_sorted = _joined(q_tokens)
        for c_name, c_tokens in pair.candidate.names:
            c_plain, c_sorted = _joined(c_tokens)
            value = max(fuzz.ratio(q_plain, c_plain), fuzz.ratio(q_sorted, c_sorted)) / 100.0
            if value > best_value:
                best_value, detail = value, f"{q_name!r} vs {c_name!r} without spaces"
    return best_value, detail


@lru_cache(maxsize=200_000)
def _joined(tokens: tuple[str, ...]) -> tuple[str, str]:
    """The name written without spaces, in its word order and with its words sorted."""
    return "".join(tokens), "".join(sorted(tokens))


def name_numbers(record: Record) -> frozenset[frozenset[str]]:
    """The set of numbers in each name ("01" and "1" are one number); names without any left out."""
    return record.numbers


@lru_cache(maxsize=200_000)
def _token_numbers(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(str(int(t)) for t in tokens if t.isdigit())


def number_mismatch(pair: Pair) -> tuple[float, str]:
    """1 when both records' names carry numbers and no name of one has the numbers of a name of the
    other: "HAO FAN 6" is not "HAO FAN 2", whatever the letters say (vessels, plants, branches)."""
    q, c = name_numbers(pair.query), name_numbers(pair.candidate)
    if q and c and not q & c:
        show = sorted(" ".join(sorted(n)) for n in q), sorted(" ".join(sorted(n)) for n in c)
        return 1.0, f"numbers {', '.join(show[0])} vs {', '.join(show[1])}"
    return 0.0, "no number conflict"


def number_one_side(pair: Pair) -> tuple[float, str]:
    """1 when the names of one record carry a number and none of the other's do: "TANGO 2" and
    "TANGO" are often two ships of one owner, "JUPITER I" a sister of "JUPITER"."""
    q, c = name_numbers(pair.query), name_numbers(pair.candidate)
    if bool(q) != bool(c):
        numbers = sorted(" ".join(sorted(n)) for n in q or c)
        return 1.0, f"number {', '.join(numbers)} on one side only"
    return 0.0, "numbers on both sides or neither"


def identifier_match(pair: Pair) -> tuple[float, str]:
    """1 when both records carry the same valid registration number of one scheme (decisive)."""
    for scheme, values in sorted(pair.query.identifiers.items()):
        shared = values & pair.candidate.identifiers.get(scheme, frozenset())
        if shared:
            return 1.0, f"{scheme} {min(shared)} shared: decisive"
    return 0.0, "no shared identifier"


def identifier_conflict(pair: Pair) -> tuple[float, str]:
    """1 when both records carry valid numbers of one scheme and none agree: namesakes, not the same."""
    for scheme, values in sorted(pair.query.identifiers.items()):
        theirs = pair.candidate.identifiers.get(scheme, frozenset())
        if theirs and not values & theirs:
            return 1.0, f"{scheme} differs: {', '.join(sorted(values))} vs {', '.join(sorted(theirs))}"
    return 0.0, "no conflicting identifier"


def country_match(pair: Pair) -> tuple[float, str]:
    """1 when both records name the same country."""
    q, c = pair.query.country, pair.candidate.country
    if q and c and q == c:
        return 1.0, f"country {q} on both"
    return 0.0, "country not shared"


def country_mismatch(pair: Pair) -> tuple[float, str]:
    """1 when both records name a country and they differ."""
    q, c = pair.query.country, pair.candidate.country
    if q and c and q != c:
        return 1.0, f"country {q} vs {c}"
    return 0.0, "no country conflict"


FEATURES: dict[str, Callable[[Pair], tuple[float, str]]] = {
    "name_overlap": name_overlap,
    "name_coverage": name_coverage,
    "name_containment": name_containment,
    "name_phonetic": name_phonetic,
    "name_joined": name_joined,
    "number_mismatch": number_mismatch,
    "number_one_side": number_one_side,
    "identifier_conflict": identifier_conflict,
    "country_match": country_match,
    "country_mismatch": country_mismatch,
}


class FeatureResult(NamedTuple):
    name: str
    value: float
    weight: float
    contribution: float  # weight * value, added to the log-odds
    detail: str


class MatchResult(NamedTuple):
    score: float
    features: tuple[FeatureResult, ...]
    decided_by: str | None = None  # the feature that decided outside the model, if any

    def explanations(self) -> list[str]:
        """One line per feature that counted, the deciding one first."""
        lines = [f.detail for f in self.features if f.name == self.decided_by]
        lines += [
            f"{f.detail} [{f.name} {f.value:.2f} x {f.weight:+.2f} = {f.contribution:+.2f}]"
            for f in self.features
            if f.name != self.decided_by and f.value
        ]
        return lines

    def contributions(self) -> dict[str, float]:
        return {f.name: round(f.contribution, 4) for f in self.features if f.value}


def make_pair(
    query: Record,
    candidate: Record,
    weight: WeightFn | None = None,
    config: MatchingConfig | None = None,
    ceilings: Sequence[NameCeiling] | None = None,
) -> Pair:
    cfg = config or default_config()
    fn = weight or TokenWeights((), cfg)
    return Pair(query, candidate, compare_names(query, candidate, fn, cfg, ceilings), fn, cfg, ceilings)


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@lru_cache(maxsize=16)
def _weights(pairs: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """The model's weights by feature (callers must not mutate)."""
    return dict(pairs)


def score_pair(pair: Pair) -> MatchResult:
    """Score a prepared pair: the decisive identifier rule, else the calibrated logistic model."""
    model = pair.config.model
    decided = identifier_match(pair)
    if model.identifier_decides and decided[0]:
        return MatchResult(
            1.0, (FeatureResult("identifier_match", 1.0, 0.0, 0.0, decided[1]),), "identifier_match"
        )
    results = []
    logit = model.bias
    weights = _weights(model.weights)
    for name, fn in FEATURES.items():
        value, detail = fn(pair)
        weight = weights.get(name, 0.0)
        logit += weight * value
        results.append(FeatureResult(name, round(value, 4), weight, round(weight * value, 4), detail))
    return MatchResult(round(sigmoid(logit), 4), tuple(results))


def match(
    query: Record,
    candidate: Record,
    weight: WeightFn | None = None,
    config: MatchingConfig | None = None,
    ceilings: Sequence[NameCeiling] | None = None,
) -> MatchResult:
    """How likely ``query`` and ``candidate`` are the same party, with per-feature explanations.

    ``ceilings`` (from resolve/prefilter.py, per candidate name) only save work: the result is the same.
    """
    return score_pair(make_pair(query, candidate, weight, config, ceilings))
