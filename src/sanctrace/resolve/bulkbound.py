"""The score bound of prefilter.py for a batch of queries and all their blocked candidates at once,
over flat arrays.

``prefilter.Bounds.logit`` walks one candidate's Profile at a time: dicts of tuples, ~8 µs of Python
per candidate, over some 800,000 objects whose reference counts every read writes (so two forked
screening processes each copy the pages they read and hold the index twice in the caches). Here
the same bound is computed from arrays built once per index (decision 0020): every candidate name is
a row, every (name, word), (name, glued pair) and (name, metaphone code) an entry of a flat table.
The candidates of a few hundred queries are gathered and evaluated together: a numpy call costs a
few microseconds here whatever its size, so one query at a time would spend more on calls than the
Python loop it replaces.

prefilter.py stays the reference and the fallback (queries of more than ``_MAX_TOKENS`` words, or
not of one name): tests check that both give the same bounds and ceilings on real list names, and
screening's results stay those of the unpruned matcher. Sums are taken in another order than in the
reference; the bound keeps prefilter's margin (``MARGIN`` in ``logit_below``) and the ceilings the
matcher's, both far above the rounding difference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sanctrace.resolve.config import MatchingConfig
from sanctrace.resolve.matcher import NameCeiling, Record, WeightFn
from sanctrace.resolve.prefilter import (
    Bounds,
    NameProfile,
    Profile,
    length_spread,
    lengths_near,
    logit_below,
    near_words,
    ratio_cutoff,
    written_once,
)

# Query words are bits of a uint64 mask, and a glued pair k sets bits k and k + 1.
_MAX_TOKENS = 63
_Ints = NDArray[np.int64]
_Masks = NDArray[np.uint64]
_Floats = NDArray[np.float64]
_ONE = np.uint64(1)

Survivors = list[tuple[int, tuple[NameCeiling, ...] | None]]


@dataclass(frozen=True, slots=True)
class _Entries:
    """One table of (candidate name, key, weight) entries, grouped by candidate position: the entries
    of position p are ``start[p]:start[p + 1]``; ``row`` is the global row of the name."""

    start: _Ints
    key: _Ints
    row: _Ints
    weight: _Floats

    @classmethod
    def of(
        cls, tables: Iterable[tuple[int, dict[str, tuple[tuple[int, float], ...]]]], ids: dict[str, int]
    ) -> _Entries:
        """From each position's first row and its table (a Profile's ``tokens``, ``pairs`` or ``codes``:
        key -> (name index, weight)), in order of position; ``ids`` numbers the keys (new ones are
        added)."""
        start, keys, rows, weights = [0], [], [], []
        for first, table in tables:
            for text, found in table.items():
                key = ids.get(text)
                if key is None:
                    key = ids[text] = len(ids)
                for n, weight in found:
                    keys.append(key)
                    rows.append(first + n)
                    weights.append(weight)
            start.append(len(keys))
        return cls(
            np.array(start, np.int64),
            np.array(keys, np.int64),
            np.array(rows, np.int64),
            np.array(weights, np.float64),
        )

    def gather(self, positions: _Ints) -> tuple[_Ints, _Ints]:
        """The entries of ``positions`` (indices into the table) and, for each, the index in
        ``positions`` of its candidate."""
        low = self.start[positions]
        counts = self.start[positions + 1] - low
        return _ranges(low, counts), np.repeat(np.arange(len(positions)), counts)


class FlatProfiles:
    """The candidates' profiles (prefilter.Profile, by position) as flat arrays, built once per index.

    Words and glued pairs share one vocabulary, sorted by length and then by text: the distinct words
    of a query's candidates, sorted by id, are sorted by length too, and the near-word lookup finds
    the ones of a probe's length with a binary search.
    """

    def __init__(self, profiles: Sequence[Profile], constituents: dict[str, frozenset[str]]) -> None:
        self.profiles = profiles
        self.constituents = constituents
        # Sorted by text, then (stably) by length: by (length, text) with keys computed in C.
        strings = sorted(frozenset().union(*(p.token_set | p.pair_set for p in profiles)))
        strings.sort(key=len)
        # Copies of the strings, made one after the other so that they sit together in memory: every
        # near-word lookup reads (and so writes the reference count of) a few hundred of them, and the
        # originals are spread over the whole index, one page each, which a forked process would copy.
        self.vocabulary = np.array([s.encode().decode() for s in strings], dtype=object)
        self.lengths = np.fromiter(map(len, strings), np.int64, len(strings))
        # Composite sort keys (query * span + length) never run into the next query's.
        self.span = int(self.lengths.max(initial=0)) + 2
        self.ids = ids = {s: i for i, s in enumerate(strings)}
        self.code_ids: dict[str, int] = {}
        names = [name for profile in profiles for name in profile.names]
        self.totals = np.array([name.total for name in names], np.float64)
        self.code_totals = np.array([name.code_total for name in names], np.float64)
        self.joined = np.array([name.joined for name in names], np.float64)
        self.row_start = np.zeros(len(profiles) + 1, np.int64)
        np.cumsum([len(profile.names) for profile in profiles], out=self.row_start[1:])
        first_rows = self.row_start[:-1].tolist()
        self.words = _Entries.of(zip(first_rows, (p.tokens for p in profiles), strict=True), ids)
        self.pairs = _Entries.of(zip(first_rows, (p.pairs for p in profiles), strict=True), ids)
        self.codes = _Entries.of(zip(first_rows, (p.codes for p in profiles), strict=True), self.code_ids)
        if len(ids) != len(strings):  # a word outside the vocabulary would index past its end
            raise ValueError("a profile's word or glued pair is missing from its token_set / pair_set")
        self.has_numbers = np.array([bool(p.numbers) for p in profiles], np.bool_)


class BulkBounds:
    """prefilter.Bounds for a batch of queries at once (the same bound, the same ceilings)."""

    def __init__(self, config: MatchingConfig, flat: FlatProfiles) -> None:
        self.flat = flat
        self.reference = Bounds(config, flat.constituents)
        self.similarity_min = config.weights.token_similarity_min

    def survivors(
        self, queries: Sequence[tuple[Record, Sequence[int]]], weight: WeightFn, cut: float
    ) -> list[Survivors]:
        """Per query (a record and its candidates' positions): the candidates (by index in its
        positions) whose rounded score could reach ``cut``, each with the ceilings on its names for
        the matcher (None where the bound does not apply)."""
        found: list[Survivors] = [[] for _ in queries]
        batch: list[int] = []
        for i, (query, positions) in enumerate(queries):
            if not positions:
                continue
            if _bulk_ready(query):
                batch.append(i)
            else:
                profiles = self.flat.profiles
                found[i] = self.reference.survivors(query, weight, [profiles[at] for at in positions], cut)
        if batch:
            evaluated = _Batch(self, [queries[i] for i in batch], weight)
            below = logit_below(cut)
            kept: list[int] = np.flatnonzero(evaluated.logits > below).tolist()
            layout = evaluated.layout
            for c, ceilings in zip(kept, evaluated.ceilings(kept), strict=True):
                q = int(layout.pair_query[c])
                found[batch[q]].append((c - layout.first_of[q], ceilings))
        return found

    def logits(self, query: Record, weight: WeightFn, positions: Sequence[int]) -> list[float]:
        """The bound on the logit of each candidate (tests compare it with prefilter.Bounds.logit)."""
        if not positions:
            return []
        logits: list[float] = _Batch(self, [(query, positions)], weight).logits.tolist()
        return logits

    def ceilings(
        self, query: Record, weight: WeightFn, positions: Sequence[int]
    ) -> list[tuple[NameCeiling, ...]]:
        """The ceilings of each candidate's names (tests compare them with prefilter.Bounds.ceilings)."""
        if not positions:
            return []
        evaluated = _Batch(self, [(query, positions)], weight)
        return evaluated.ceilings(list(range(len(positions))))


def _bulk_ready(query: Record) -> bool:
    """Whether the bulk bound applies: one non-empty query name whose words fit the masks."""
    return len(query.names) == 1 and 0 < len(query.names[0][1]) <= _MAX_TOKENS


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a batch's candidates and their names sit. A candidate of a query is a "pair" here,
    numbered across the batch in query order; the pairs' names are "rows", numbered likewise."""

    positions: _Ints  # per pair, the candidate's position in the index
    pair_query: _Ints  # per pair, its query
    first_of: list[int]  # per query, its first pair
    rows: _Ints  # per row, the global row of the name (FlatProfiles)
    row_pair: _Ints  # per row, its pair
    row_query: _Ints  # per row, its query
    first_rows: _Ints  # per pair, its first row
    row_counts: _Ints  # per pair, its number of rows
    shift: _Ints  # per pair: global row - shift = batch row

    @classmethod
    def of(cls, flat: FlatProfiles, queries: Sequence[tuple[Record, Sequence[int]]]) -> _Layout:
        counts = np.array([len(positions) for _, positions in queries], np.int64)
        positions = np.fromiter(chain.from_iterable(p for _, p in queries), np.int64, int(counts.sum()))
        pair_query = np.repeat(np.arange(len(queries)), counts)
        first_row = flat.row_start[positions]
        row_counts = flat.row_start[positions + 1] - first_row
        first_rows = np.cumsum(row_counts) - row_counts
        row_pair = np.repeat(np.arange(len(positions)), row_counts)
        return cls(
            positions,
            pair_query,
            (np.cumsum(counts) - counts).tolist(),
            _ranges(first_row, row_counts),
            row_pair,
            pair_query[row_pair],
            first_rows,
            row_counts,
            first_row - first_rows,
        )

    def entries(self, table: _Entries) -> tuple[_Ints, _Ints, _Ints]:
        """The entries of the batch's candidates in ``table``: their indices, their batch rows and
        their queries."""
        found, pair = table.gather(self.positions)
        return found, table.row[found] - self.shift[pair], self.pair_query[pair]

    def best(self, values: _Floats) -> _Floats:
        """Per pair, the largest value of its rows (0 for a pair without rows, never below 0)."""
        best = np.zeros(len(self.positions))
        np.maximum.at(best, self.row_pair, values)
        return best


class _Batch:
    """The bound for several one-name queries against their candidates, as prefilter computes it per
    candidate (see there for why each part bounds the matcher's feature)."""

    def __init__(
        self, bounds: BulkBounds, queries: Sequence[tuple[Record, Sequence[int]]], weight: WeightFn
    ) -> None:
        flat = bounds.flat
        reference = bounds.reference
        self.names = [NameProfile.of(query.names[0][1], weight) for query, _ in queries]
        self.layout = layout = _Layout.of(flat, queries)
        masks, c_weights = self._aligned(bounds, layout)
        dice, parts = self._name_parts(flat, reference, layout, masks, c_weights)
        phonetic = self._phonetic(flat, layout)
        w_phonetic, w_joined = reference.w_sound
        logits = reference.base + layout.best(parts)
        logits += w_phonetic * layout.best(phonetic) + w_joined * layout.best(self._joined(flat, layout))
        # Country, numbers, identifiers: exact, in Python, for the pairs where they can count.
        plain = np.array([not (q.identifiers or q.country or q.numbers) for q, _ in queries], np.bool_)
        pair_query, profiles = layout.pair_query, flat.profiles
        at = layout.positions.tolist()
        for c in np.flatnonzero(~plain[pair_query] | flat.has_numbers[layout.positions]).tolist():
            query = queries[int(pair_query[c])][0]
            logits[c] += reference.record_features(query, query.numbers, profiles[at[c]])
        self.logits: _Floats = logits
        self._dice = np.where(masks != 0, dice, 0.0)
        self._phonetic_rows = phonetic

    def ceilings(self, pairs: list[int]) -> list[tuple[NameCeiling, ...]]:
        """Per pair of ``pairs``, per name, the ceilings on its Dice and phonetic overlap (as in
        prefilter.Bounds.ceilings: 0 for a name with no word that could align)."""
        counts = self.layout.row_counts[pairs]
        rows = _ranges(self.layout.first_rows[pairs], counts)
        dice: list[float] = self._dice[rows].tolist()
        phonetic: list[float] = self._phonetic_rows[rows].tolist()
        found = []
        first = 0
        for count in counts.tolist():
            stop = first + count
            found.append(tuple(map(NameCeiling, dice[first:stop], phonetic[first:stop])))
            first = stop
        return found

    def _aligned(self, bounds: BulkBounds, layout: _Layout) -> tuple[_Masks, _Floats]:
        """Per row, the query words that could align with a word or glued pair of the name (a mask),
        and the weight of the name's words that could align (prefilter._alignable)."""
        flat = bounds.flat
        size = len(layout.rows)
        vocabulary_size = len(flat.vocabulary)
        words, word_row, word_query = layout.entries(flat.words)
        word_keys, word_at = np.unique(
            word_query * vocabulary_size + flat.words.key[words], return_inverse=True
        )
        pairs, pair_row, pair_query = layout.entries(flat.pairs)
        pair_keys, pair_at = np.unique(
            pair_query * vocabulary_size + flat.pairs.key[pairs], return_inverse=True
        )
        near = _Near(bounds, self.names, word_keys, pair_keys)

        aligned = near.word_masks[word_at]
        exact = np.zeros(size, np.uint64)  # per row, the query words sure to align exactly
        if near.glued or near.pairs:
            np.bitwise_or.at(exact, word_row, near.exact_masks[word_at])
        if near.glued:
            held = exact[word_row]
            glued = near.glued_masks[word_at] & ~(held | (held >> _ONE))
            aligned = aligned | glued | (glued << _ONE)
        masks = np.zeros(size, np.uint64)
        np.bitwise_or.at(masks, word_row, aligned)
        c_weights: _Floats = np.bincount(
            word_row, weights=np.where(aligned != 0, flat.words.weight[words], 0.0), minlength=size
        ).astype(np.float64, copy=False)
        if near.pairs:
            paired = near.pair_masks[pair_at] & ~exact[pair_row]
            hit = np.flatnonzero(paired)
            np.bitwise_or.at(masks, pair_row[hit], paired[hit])
            c_weights += np.bincount(pair_row[hit], weights=flat.pairs.weight[pairs[hit]], minlength=size)
        return masks, c_weights

    def _name_parts(
        self, flat: FlatProfiles, reference: Bounds, layout: _Layout, masks: _Masks, c_weights: _Floats
    ) -> tuple[_Floats, _Floats]:
        """Per row, the bound on Dice, and on the name features' contribution (overlap, coverage and
        containment, weighted)."""
        names = self.names
        size = len(layout.rows)
        width = max(len(name.tokens) for name in names)
        query_weights = np.zeros((len(names), width))
        for q, name in enumerate(names):
            query_weights[q, : len(name.weights)] = name.weights
        # Summed bit by bit, as prefilter's _Query.weight sums them: the same floats whatever the batch.
        # Only names with a word that could align have any.
        some = np.flatnonzero(masks)
        some_masks = masks[some]
        query_weights = query_weights[layout.row_query[some]]
        summed = np.zeros(len(some))
        for i in range(width):
            summed += np.where((some_masks >> np.uint64(i)) & _ONE != 0, query_weights[:, i], 0.0)
        q_weights = np.zeros(size)
        q_weights[some] = summed
        q_totals = np.array([name.total for name in names])[layout.row_query]
        c_totals = flat.totals[layout.rows]
        c_weights = np.minimum(c_weights, c_totals)
        dice = _share(q_weights + c_weights, q_totals + c_totals)
        q_share = _share(q_weights, q_totals)
        c_share = _share(c_weights, c_totals)
        overlap, coverage, containment = reference.w_name
        parts = (
            overlap * dice
            + coverage * np.minimum(q_share, c_share)
            + containment * np.maximum(q_share, c_share)
        )
        return dice, parts

    def _phonetic(self, flat: FlatProfiles, layout: _Layout) -> _Floats:
        """Per row, the phonetic overlap exactly as the matcher computes it (summed in another order)."""
        names = self.names
        size = len(layout.rows)
        span = len(flat.code_ids)
        wanted = sorted(
            (q * span + at, value)
            for q, name in enumerate(names)
            for code, value in name.codes.items()
            if (at := flat.code_ids.get(code)) is not None
        )
        if not wanted:
            return np.zeros(size)
        q_keys = np.array([key for key, _ in wanted], np.int64)
        q_values = np.array([value for _, value in wanted], np.float64)
        codes, code_row, code_query = layout.entries(flat.codes)
        keys = code_query * span + flat.codes.key[codes]
        found = np.minimum(np.searchsorted(q_keys, keys), len(q_keys) - 1)
        hit = np.flatnonzero(q_keys[found] == keys)
        values = np.bincount(
            code_row[hit], weights=q_values[found[hit]] + flat.codes.weight[codes[hit]], minlength=size
        )
        sums = np.array([name.code_total for name in names])[layout.row_query] + flat.code_totals[layout.rows]
        some = (np.bincount(code_row[hit], minlength=size) > 0) & (sums != 0)
        return np.where(some, _share(values, sums), 0.0)

    def _joined(self, flat: FlatProfiles, layout: _Layout) -> _Floats:
        """Per row, the bound on the ratio of the names written without spaces: 2 * min(len) / sum."""
        lengths = flat.joined[layout.rows]
        length = np.array([float(name.joined) for name in self.names])[layout.row_query]
        both = (lengths != 0) & (length != 0)
        return np.where(both, _share(2 * np.minimum(lengths, length), lengths + length), 1.0)


class _Near:
    """Which of the candidates' words and glued pairs are near (at the alignment ratio) a query word or
    a glued pair of query words, as query-word masks per distinct (query, word) of the batch
    (prefilter._Query, with the same hits dropped for the same reasons)."""

    def __init__(
        self, bounds: BulkBounds, names: list[NameProfile], word_keys: _Ints, pair_keys: _Ints
    ) -> None:
        flat = bounds.flat
        cutoff = ratio_cutoff(bounds.similarity_min)
        spread = length_spread(cutoff)
        size = len(flat.vocabulary)
        word_ids, pair_ids = word_keys % size, pair_keys % size
        words: list[str] = flat.vocabulary[word_ids].tolist()
        pairs: list[str] = flat.vocabulary[pair_ids].tolist()
        # (query, length) of each distinct word, ascending: a probe's window is one binary search.
        span = flat.span
        word_order = word_keys // size * span + flat.lengths[word_ids]
        pair_order = pair_keys // size * span + flat.lengths[pair_ids]
        low_keys, high_keys = [], []
        for q, name in enumerate(names):
            for text in chain(name.tokens, name.pairs):
                low, high = lengths_near(len(text), spread)
                low_keys.append(q * span + max(0, math.ceil(low)))
                high_keys.append(q * span + min(span - 1, math.floor(high)))
        word_low = np.searchsorted(word_order, low_keys, "left").tolist()
        word_high = np.searchsorted(word_order, high_keys, "right").tolist()
        pair_low = np.searchsorted(pair_order, low_keys, "left").tolist()
        pair_high = np.searchsorted(pair_order, high_keys, "right").tolist()

        constituents = flat.constituents
        word_masks: dict[int, int] = {}
        pair_masks: dict[int, int] = {}
        glued_masks: dict[int, int] = {}
        exact_keys: list[int] = []
        exact_bits: list[int] = []
        probe = 0
        for q, name in enumerate(names):
            unique = written_once(name.tokens)
            for i, token in enumerate(name.tokens):
                bit = 1 << i
                once = token in unique
                low, high = word_low[probe], word_high[probe]
                choices = words[low:high] + pairs[pair_low[probe] : pair_high[probe]]
                split = high - low
                for word, _score, at in near_words(token, choices, cutoff):
                    if at < split:
                        word_masks[low + at] = word_masks.get(low + at, 0) | bit
                    elif not (once and token in constituents.get(word, ())):
                        at += pair_low[probe] - split
                        pair_masks[at] = pair_masks.get(at, 0) | bit
                probe += 1
            for k, glued in enumerate(name.pairs):
                left, right = name.tokens[k], name.tokens[k + 1]
                low = word_low[probe]
                for word, _score, at in near_words(glued, words[low : word_high[probe]], cutoff):
                    # A candidate word that is one of the two glued query words, written once, aligns
                    # with it exactly (see prefilter._Query).
                    if not (word in (left, right) and word in unique):
                        glued_masks[low + at] = glued_masks.get(low + at, 0) | 1 << k
                probe += 1
            for token, bit in unique.items():
                key = flat.ids.get(token)
                if key is not None:
                    exact_keys.append(q * size + key)
                    exact_bits.append(bit)
        self.word_masks = _masks(word_masks, len(words))
        self.pair_masks = _masks(pair_masks, len(pairs))
        # Glued pair k by its first bit: where it can align, bits k and k + 1 are set.
        self.glued_masks = _masks(glued_masks, len(words))
        self.glued = bool(glued_masks)
        self.pairs = bool(pair_masks)
        self.exact_masks = np.zeros(len(words), np.uint64)
        if (self.glued or self.pairs) and exact_keys and len(words):
            keys = np.array(exact_keys, np.int64)
            found = np.minimum(np.searchsorted(word_keys, keys), len(words) - 1)
            there = word_keys[found] == keys
            self.exact_masks[found[there]] = np.array(exact_bits, np.uint64)[there]


def _masks(found: dict[int, int], size: int) -> _Masks:
    masks = np.zeros(size, np.uint64)
    if found:
        masks[list(found)] = np.array(list(found.values()), np.uint64)
    return masks


def _ranges(starts: _Ints, counts: _Ints) -> _Ints:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` in a few array calls."""
    offsets = np.cumsum(counts) - counts
    found: _Ints = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(starts - offsets, counts)
    return found


def _share(part: NDArray[Any], whole: NDArray[Any]) -> _Floats:
    """``part / whole``, 0 where ``whole`` is 0."""
    found: _Floats = np.divide(part, whole, out=np.zeros(len(part)), where=whole != 0)
    return found
