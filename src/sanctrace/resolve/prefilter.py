"""An upper bound on the matcher's score, cheap enough to compute for every blocked candidate.

The matcher (matcher.py) costs about 0.3 ms per candidate pair: it aligns every pair of names token
by token, compares metaphone codes and joined strings, and writes an explanation for every feature.
Screening blocks a few dozen candidates per name, and nearly all of them score far below the report
floor. This module proves most of them cannot reach it, so only the rest are scored — and those are
scored by the unchanged matcher, so every reported score, match flag and explanation is the one the
matcher gives (``screen_index(..., exhaustive=True)`` checks it; see docs/decisions/0013).

The bound is the model's logit with each feature replaced by an upper bound on its value:

- ``name_overlap``, ``name_coverage``, ``name_containment``: two tokens align only when their
  rapidfuzz ratio reaches ``token_similarity_min``, and a word glued on one side aligns only with the
  concatenation of two adjacent words of the other. A word that is near (at that ratio) no word and
  no adjacent pair of the other name cannot align, so the aligned weight of each side is at most the
  weight of its near words; Dice, the smaller and the larger side's share follow, per candidate name.
  Which words are near is found by one rapidfuzz call (C code) per query word and per adjacent pair
  of query words, against the candidates' words and adjacent pairs of a length that can reach the
  ratio. Near hits that the per-name check would always discard (a query word written once near a
  glued pair it is part of in every name) are dropped when they are found.
- ``name_phonetic``: computed as the matcher does, from metaphone codes precomputed per name.
- ``name_joined``: at most ``2 * min(len) / (len + len)`` of the names written without spaces.
- country, numbers in names, identifiers: exact, from the records.
- a feature this module does not know: its weight if positive (its value is at most 1), else 0.

A pair is pruned only when ``round(sigmoid(bound), 4)`` is below the lowest score screening reports;
the matcher's score is ``round(sigmoid(logit), 4)`` with ``logit <= bound``, and both functions are
monotone, so a pruned pair could not have been reported.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process

from sanctrace.resolve.config import MatchingConfig
from sanctrace.resolve.matcher import (
    FEATURES,
    NameCeiling,
    Record,
    WeightFn,
    name_numbers,
    name_sounds,
    name_weights,
    sigmoid,
)

# Float sums in another order than the matcher's: a margin far above their rounding error.
MARGIN = 1e-6
_INFINITY = float("inf")
# Features whose contribution _Bounds.logit bounds itself; any other gets max(weight, 0).
_NAME_FEATURES = frozenset(
    {"name_overlap", "name_coverage", "name_containment", "name_phonetic", "name_joined"}
)
_RECORD_FEATURES = frozenset(
    {"number_mismatch", "number_one_side", "identifier_conflict", "country_match", "country_mismatch"}
)
_BOUNDED = _NAME_FEATURES | _RECORD_FEATURES


@dataclass(frozen=True, slots=True)
class NameProfile:
    """One name's tokens with what the bound needs, computed once per name."""

    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    total: float
    pairs: tuple[str, ...]  # token j glued to token j + 1
    codes: dict[str, float]  # metaphone code -> token weight, built as name_phonetic builds it
    code_total: float
    joined: int  # length of the name written without spaces

    @classmethod
    def of(cls, tokens: tuple[str, ...], weight: WeightFn) -> NameProfile:
        weights, total = name_weights(tokens, weight)
        codes, code_total = name_sounds(tokens, weight)  # as name_phonetic uses them
        pairs = tuple(a + b for a, b in pairwise(tokens))
        return cls(tokens, weights, total, pairs, codes, code_total, sum(map(len, tokens)))


@dataclass(frozen=True, slots=True)
class Profile:
    """A record's names as NameProfiles, indexed by word and by metaphone code across all names, so
    that the bound only visits the names that share something with the query."""

    record: Record
    names: tuple[NameProfile, ...]
    # word -> (name index, weight of that word in the name, counted once however often it occurs)
    tokens: dict[str, tuple[tuple[int, float], ...]]
    # two adjacent words glued -> (name index, their summed weight, over all places they occur)
    pairs: dict[str, tuple[tuple[int, float], ...]]
    token_set: frozenset[str]
    pair_set: frozenset[str]
    codes: dict[str, tuple[tuple[int, float], ...]]  # code -> (name index, its weight in that name)
    code_set: frozenset[str]
    joined: frozenset[int]
    numbers: frozenset[frozenset[str]]
    # Per name, its total weight and its codes' total: read by the bound for every candidate, kept
    # here so that the bound touches no NameProfile of a candidate it prunes.
    totals: tuple[float, ...]
    code_totals: tuple[float, ...]

    @classmethod
    def of(cls, record: Record, weight: WeightFn) -> Profile:
        names = tuple(NameProfile.of(tokens, weight) for _, tokens in record.names)
        tokens: dict[str, list[tuple[int, float]]] = {}
        pairs: dict[str, list[tuple[int, float]]] = {}
        codes: dict[str, list[tuple[int, float]]] = {}
        for n, name in enumerate(names):
            for found, words in (
                (tokens, [(t, (j,)) for j, t in enumerate(name.tokens)]),
                (pairs, [(p, (j, j + 1)) for j, p in enumerate(name.pairs)]),
            ):
                places: dict[str, set[int]] = {}
                for word, indices in words:
                    places.setdefault(word, set()).update(indices)
                for word, where in places.items():
                    found.setdefault(word, []).append((n, sum(name.weights[j] for j in sorted(where))))
            for code, code_weight in name.codes.items():
                codes.setdefault(code, []).append((n, code_weight))
        return cls(
            record,
            names,
            {word: tuple(found) for word, found in tokens.items()},
            {word: tuple(found) for word, found in pairs.items()},
            frozenset(tokens),
            frozenset(pairs),
            {code: tuple(found) for code, found in codes.items()},
            frozenset(codes),
            frozenset(name.joined for name in names),
            name_numbers(record),
            tuple(name.total for name in names),
            tuple(name.code_total for name in names),
        )


class _Query:
    """One query name against its candidates: which candidate words and glued pairs are near (at the
    alignment ratio) a query word or glued pair of query words — the only ways two names align — with
    the weight of the query tokens each could align with; and the query's record features."""

    def __init__(
        self,
        query: Record,
        weight: WeightFn,
        candidates: Sequence[Profile],
        similarity_min: float,
        constituents: Mapping[str, frozenset[str]],
    ) -> None:
        # Only the query's one name is profiled: the per-word indexes of a Profile serve candidates.
        self.record = query
        self.name = q = NameProfile.of(query.names[0][1], weight)
        cutoff = ratio_cutoff(similarity_min)
        self._unique = unique = written_once(q.tokens)

        # The candidates' words and glued pairs by length: a word can be near a probe only if their
        # lengths are close (see lengths_near), so each probe is compared with a slice of them.
        tokens = sorted(frozenset().union(*[c.token_set for c in candidates]), key=len)
        pairs = sorted(frozenset().union(*[c.pair_set for c in candidates]), key=len)
        spread = length_spread(cutoff)
        # Query tokens as bit masks, so that a token reached by several words of a name counts once.
        self.tokens: dict[str, int] = {}  # candidate word -> query words near it
        self.glued: dict[str, list[int]] = {}  # candidate word -> k: query words k, k + 1 glued near it
        self.pairs: dict[str, int] = {}  # two candidate words glued -> query words near them
        # A word near a glued pair of which it is one of the two words (SCIENCES, OF+SCIENCES) is, when
        # written once in the query, in every candidate name that has the pair: it aligns there
        # exactly and never with the pair (see written_once). Such hits are most of the glued pairs near a
        # query word; dropping them here spares _alignable a look at every name that has them.
        for i, token in enumerate(q.tokens):
            bit = 1 << i
            once = token in unique
            low, high = lengths_near(len(token), spread)
            # The query word against the words and glued pairs of its length in one call: the
            # position of a hit tells which.
            sized = _of_length(tokens, low, high)
            words, split = sized + _of_length(pairs, low, high), len(sized)
            for word, _score, at in near_words(token, words, cutoff):
                if at < split:
                    self.tokens[word] = self.tokens.get(word, 0) | bit
                elif not (once and token in constituents.get(word, ())):
                    self.pairs[word] = self.pairs.get(word, 0) | bit
        for k, glued in enumerate(q.pairs):
            left, right = q.tokens[k], q.tokens[k + 1]
            low, high = lengths_near(len(glued), spread)
            for word, _score, _at in near_words(glued, _of_length(tokens, low, high), cutoff):
                # Likewise a candidate word that is one of the two glued query words, written once.
                if not (word in (left, right) and word in unique):
                    self.glued.setdefault(word, []).append(k)
        self.token_set = frozenset(self.tokens) | frozenset(self.glued)
        self.pair_set = frozenset(self.pairs)
        # Most near words are near a query word and no glued pair: their mask does not depend on the
        # candidate name, so _alignable adds it without looking at which query words align exactly.
        self.glued_set = frozenset(self.glued)
        self.plain_set = self.token_set - self.glued_set
        self._present: dict[int, int] = {}
        self._weights: dict[int, float] = {}
        self.codes = frozenset(q.codes)
        self.numbers = name_numbers(query)
        self.plain = not (query.identifiers or query.country or self.numbers)

    def aligned_exactly(self, name: NameProfile) -> int:
        """The query words (a mask) sure to align exactly with a word of ``name``."""
        found = self._present.get(id(name))
        if found is None:
            unique = self._unique
            found = self._present[id(name)] = sum({unique.get(t, 0) for t in name.tokens})
        return found

    def weight(self, mask: int) -> float:
        """Summed weight of the query tokens in ``mask``."""
        found = self._weights.get(mask)
        if found is None:
            weights = self.name.weights
            found = self._weights[mask] = sum(weights[i] for i in range(len(weights)) if mask >> i & 1)
        return found


class Bounds:
    """The bound on the model's logit for one query against its candidates."""

    def __init__(self, config: MatchingConfig, constituents: Mapping[str, frozenset[str]]) -> None:
        """``constituents``: per glued pair of candidate words, the words that are one of the two
        wherever the pair occurs (``glued_words`` of the candidates' profiles)."""
        model = config.model
        weights = dict(model.weights)
        self.config = config
        self.constituents = constituents
        # Name features are bounded from above, which bounds their contribution only if the weight is
        # not negative; a negative one contributes at most 0. Record features are exact.
        self.w = {name: max(weights.get(name, 0.0), 0.0) for name in _NAME_FEATURES}
        self.w |= {name: weights.get(name, 0.0) for name in _RECORD_FEATURES}
        self.w_name = (self.w["name_overlap"], self.w["name_coverage"], self.w["name_containment"])
        self.w_sound = (self.w["name_phonetic"], self.w["name_joined"])
        # Features of the model this module does not bound: each adds at most its weight.
        self.base = model.bias + sum(
            max(weights.get(name, 0.0), 0.0) for name in FEATURES if name not in _BOUNDED
        )

    def survivors(
        self, query: Record, weight: WeightFn, candidates: Sequence[Profile], cut: float
    ) -> list[tuple[int, tuple[NameCeiling, ...] | None]]:
        """The candidates (by position) whose rounded score could reach ``cut``, each with the ceilings
        on its names for the matcher (None where the bound does not apply: all are kept)."""
        if len(query.names) != 1 or not query.names[0][1]:
            return [(i, None) for i in range(len(candidates))]  # written for one non-empty query name
        prepared = _Query(
            query, weight, candidates, self.config.weights.token_similarity_min, self.constituents
        )
        below = logit_below(cut)
        return [
            (i, self.ceilings(prepared, candidate))
            for i, candidate in enumerate(candidates)
            if self.logit(prepared, candidate, below) > below
        ]

    def logit(self, query: _Query, candidate: Profile, below: float = -_INFINITY) -> float:
        """An upper bound on the matcher's logit for the pair (infinite when an identifier decides).

        Stops early, returning a bound that is at most ``below``, when the features still to be
        bounded could not lift it above ``below``.
        """
        q = query.name
        logit = self.base
        if not query.plain or candidate.numbers:
            logit += self.record_features(query.record, query.numbers, candidate)
            if logit == _INFINITY:
                return logit
        masks, c_weights = _alignable(query, candidate)
        totals = candidate.totals
        name_part = 0.0
        q_total = q.total
        w_overlap, w_coverage, w_containment = self.w_name
        for n, mask in masks.items():
            c_total = totals[n]
            q_weight = query.weight(mask)
            c_weight = c_weights[n]
            if c_weight > c_total:
                c_weight = c_total
            q_share = q_weight / q_total if q_total else 0.0
            c_share = c_weight / c_total if c_total else 0.0
            total = q_total + c_total
            small, large = (q_share, c_share) if q_share < c_share else (c_share, q_share)
            part = (
                w_overlap * ((q_weight + c_weight) / total if total else 0.0)
                + w_coverage * small
                + w_containment * large
            )
            if part > name_part:
                name_part = part
        logit += name_part
        w_phonetic, w_joined = self.w_sound
        if logit + w_phonetic + w_joined <= below:
            return logit + w_phonetic + w_joined
        # Phonetic overlap: exactly as the matcher computes it, for the names that share a code.
        phonetic = max(_phonetic(query, candidate).values(), default=0.0)
        # Joined strings: a ratio is at most 2 * min(len) / (sum of len).
        joined = 0.0
        length = q.joined
        for other in candidate.joined:
            ratio = 2 * (length if length < other else other) / (length + other) if length and other else 1.0
            if ratio > joined:
                joined = ratio
        return logit + w_phonetic * phonetic + w_joined * joined

    def ceilings(self, query: _Query, candidate: Profile) -> tuple[NameCeiling, ...]:
        """Per candidate name, the ceilings on its Dice and phonetic overlap with the query name, with
        which the matcher skips the names that cannot be its best (matcher.NameCeiling)."""
        masks, c_weights = _alignable(query, candidate)
        phonetic = _phonetic(query, candidate)
        q_total = query.name.total
        found = []
        for n, name in enumerate(candidate.names):
            dice = 0.0
            mask = masks.get(n)
            if mask is not None:
                c_weight = min(c_weights[n], name.total)
                total = q_total + name.total
                dice = (query.weight(mask) + c_weight) / total if total else 0.0
            found.append(NameCeiling(dice, phonetic.get(n, 0.0)))
        return tuple(found)

    def record_features(
        self, mine: Record, q_numbers: frozenset[frozenset[str]], candidate: Profile
    ) -> float:
        """Country, numbers and identifiers: exact contributions (inf when an identifier decides)."""
        w = self.w
        total = 0.0
        ids = candidate.record.identifiers
        if mine.identifiers:
            items = mine.identifiers.items()
            if self.config.model.identifier_decides and any(v & ids.get(s, frozenset()) for s, v in items):
                return _INFINITY
            if any(ids.get(scheme) and not values & ids[scheme] for scheme, values in items):
                total += w["identifier_conflict"]
        theirs = candidate.record.country
        if mine.country and theirs:
            total += w["country_match"] if mine.country == theirs else w["country_mismatch"]
        c_numbers = candidate.numbers
        if q_numbers and c_numbers and not q_numbers & c_numbers:
            total += w["number_mismatch"]
        if bool(q_numbers) != bool(c_numbers):
            total += w["number_one_side"]
        return total


def glued_words(profiles: Iterable[Profile]) -> dict[str, frozenset[str]]:
    """Per glued pair of adjacent words (as in ``Profile.pairs``), the words that are one of the two in
    every name of ``profiles`` where the pair occurs: "OFSCIENCES" is OF + SCIENCES wherever it is
    found, but "ABCDEF" could be ABC + DEF in one name and AB + CDEF in another (then neither word)."""
    found: dict[str, frozenset[str]] = {}
    for profile in profiles:
        for name in profile.names:
            for j, glued in enumerate(name.pairs):
                words = frozenset(name.tokens[j : j + 2])
                held = found.get(glued)
                found[glued] = words if held is None else held & words
    return found


def _alignable(query: _Query, candidate: Profile) -> tuple[dict[int, int], dict[int, float]]:
    """Per candidate name (by index) that shares a near word or glued pair with the query: the query
    tokens that could align with it (a mask) and the weight of its tokens that could align (which may
    exceed the name's total: a token can be counted by a word and by a pair)."""
    masks: dict[int, int] = {}
    c_weights: dict[int, float] = {}
    entries = candidate.tokens
    near = query.tokens
    for word in query.plain_set & candidate.token_set:
        mask = near[word]
        for n, c_weight in entries[word]:
            if n in masks:
                masks[n] |= mask
                c_weights[n] += c_weight
            else:
                masks[n] = mask
                c_weights[n] = c_weight
    if query.glued_set:
        names, glued_near, exactly = candidate.names, query.glued, query.aligned_exactly
        for word in query.glued_set & candidate.token_set:
            mask = near.get(word, 0)
            glued = glued_near[word]
            for n, c_weight in entries[word]:
                found = mask
                exact = exactly(names[n])
                for k in glued:
                    if not (exact >> k) & 3:
                        found |= 3 << k
                if found:
                    masks[n] = masks.get(n, 0) | found
                    c_weights[n] = c_weights.get(n, 0.0) + c_weight
    if query.pair_set:
        names, pairs, exactly = candidate.names, query.pairs, query.aligned_exactly
        for word in query.pair_set & candidate.pair_set:
            mask = pairs[word]
            for n, c_weight in candidate.pairs[word]:
                found = mask & ~exactly(names[n])
                if found:
                    masks[n] = masks.get(n, 0) | found
                    c_weights[n] = c_weights.get(n, 0.0) + c_weight
    return masks, c_weights


def _phonetic(query: _Query, candidate: Profile) -> dict[int, float]:
    """Per candidate name that shares a metaphone code with the query name, the phonetic overlap as
    the matcher computes it (summed in another order)."""
    q = query.name
    sums: dict[int, float] = {}
    for code in query.codes & candidate.code_set:
        q_code = q.codes[code]
        for n, c_code in candidate.codes[code]:
            sums[n] = sums.get(n, 0.0) + q_code + c_code
    found = {}
    for n, value in sums.items():
        total = q.code_total + candidate.code_totals[n]
        if total:
            found[n] = value / total
    return found


def ratio_cutoff(similarity_min: float) -> float:
    """The rapidfuzz score cutoff for ``token_similarity_min``, a margin below it so that float
    rounding can only let more words through."""
    return similarity_min * 100.0 - MARGIN


def near_words(probe: str, choices: list[str], cutoff: float) -> list[tuple[str, float, int]]:
    """The choices whose rapidfuzz ``ratio`` with ``probe`` reaches ``cutoff``: (word, score, index)."""
    found: list[tuple[str, float, int]] = process.extract(
        probe, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
    )
    return found


def written_once(tokens: tuple[str, ...]) -> dict[str, int]:
    """The words written once in a query name, each with its bit. Such a word, when a candidate name
    has it too, aligns with it exactly before any glued pair is tried (exact pairs come first), so it
    cannot be glued in that name."""
    counts = Counter(tokens)
    return {t: 1 << i for i, t in enumerate(tokens) if counts[t] == 1}


def length_spread(cutoff: float) -> float:
    """How many times longer than another a string can be and still reach the rapidfuzz ``ratio``
    ``cutoff`` with it: 1.5 at 80. The ratio is ``100 * (1 - distance / (a + b))`` for lengths a and
    b, and the distance is at least ``b - a``, so the ratio is at most ``200 * a / (a + b)``."""
    return 200.0 / cutoff - 1.0 if cutoff > 0 else _INFINITY


def lengths_near(length: int, spread: float) -> tuple[float, float]:
    """The lengths a string must have to be near one of ``length`` (with a character to spare on
    either side, so that float rounding can only let more strings through, never fewer)."""
    return length / spread - 1.0, length * spread + 1.0


def _of_length(words: list[str], low: float, high: float) -> list[str]:
    """The words (sorted by length) whose length is between ``low`` and ``high``."""
    return words[bisect_left(words, low, key=len) : bisect_right(words, high, key=len)]


def _score(logit: float) -> float:
    """The score the matcher would give at this logit, with the margin for float rounding."""
    return round(sigmoid(logit + MARGIN), 4)


@lru_cache(maxsize=64)
def logit_below(cut: float) -> float:
    """A logit whose score is below ``cut``, and within 1e-9 of the lowest one that is not: a pair
    whose bound is at most this one scores below ``cut`` (both functions are monotone)."""
    low, high = -100.0, 100.0
    if _score(low) >= cut:
        return -_INFINITY
    if _score(high) < cut:
        return _INFINITY
    while high - low > 1e-9:
        middle = (low + high) / 2
        if _score(middle) < cut:
            low = middle
        else:
            high = middle
    return low
