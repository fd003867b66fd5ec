"""Key maker aliases and the manufacturer / trademark texts of declarations, so SQL can join them.

Brand attribution needs "ФАНУК", "FANUC CORPORATION" and "Fanuc Corp." to meet the alias "FANUC".
All string work happens here, once per distinct text (never per line), with the same
``names.name_key`` used for parties: casefolded, transliterated (Cyrillic, Han, kana), legal forms
and punctuation removed, words sorted. Two tables come out:

* ``maker_aliases.alias_key`` is (re)filled for every alias;
* ``maker_text_keys`` gets one row per distinct ``manufacturer_text`` / ``trademark_text``: its key,
  the key of the alias it matched and how (``match``):

  - ``exact``     the text's key equals an alias key;
  - ``contains``  every word of an alias key is a word of the text's key ("VICTOR TAICHUNG MACHINERY
    WORKS" contains the brand "VICTOR TAICHUNG"); the alias with the most words wins, then the
    longest; aliases shorter than ``MIN_CONTAINED_CHARS`` letters never match this way, placeholders
    ("ОТСУТСТВУЕТ") only match exactly;
  - ``ambiguous`` the best contained aliases belong to different makers: no alias_key;
  - ``none``      nothing matched (or the text has no letters left after normalisation).

``analyze/sql/maker_attribution.sql`` then joins ``declarations`` -> ``maker_text_keys`` (on the raw
text) -> ``maker_aliases`` (on ``alias_key``): equality joins only, so DuckDB and Spark agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import duckdb

from sanctrace.resolve._bulk import create_temp_table
from sanctrace.resolve.names import name_key

MIN_CONTAINED_CHARS = 3


@dataclass(frozen=True)
class MakerKeyStats:
    aliases: int  # rows of maker_aliases keyed
    texts: int  # distinct manufacturer/trademark texts seen
    exact: int
    contains: int
    ambiguous: int


@dataclass(frozen=True)
class _Alias:
    key: str
    words: frozenset[str]
    maker: str | None  # None for placeholders
    placeholder: bool


class AliasIndex:
    """Alias keys with their makers, and a word index for the ``contains`` match."""

    def __init__(self, aliases: list[tuple[str | None, str, str]]) -> None:
        """``aliases``: (maker, alias text, kind) rows as in maker_aliases."""
        self.exact: dict[str, _Alias] = {}
        self.by_word: dict[str, list[_Alias]] = defaultdict(list)
        for maker, text, kind in aliases:
            key = name_key(text)
            if not key:
                continue
            alias = _Alias(key, frozenset(key.split()), maker, kind == "placeholder")
            known = self.exact.get(key)
            if known is not None and known.maker is not None and alias.maker is None:
                continue  # a maker's alias that is also a placeholder stays the maker's
            self.exact[key] = alias
            if not alias.placeholder and len(key.replace(" ", "")) >= MIN_CONTAINED_CHARS:
                for word in alias.words:
                    self.by_word[word].append(alias)

    def match(self, text: str) -> tuple[str | None, str | None, str]:
        """(text_key, alias_key, match) of one declaration text."""
        key = name_key(text)
        if not key:
            return None, None, "none"
        if key in self.exact:
            return key, key, "exact"
        words = set(key.split())
        candidates = {
            alias.key: alias for word in words for alias in self.by_word.get(word, []) if alias.words <= words
        }
        if not candidates:
            return key, None, "none"
        best = max((len(a.words), len(a.key)) for a in candidates.values())
        top = sorted(k for k, a in candidates.items() if (len(a.words), len(a.key)) == best)
        makers = {candidates[k].maker for k in top}
        if len(makers) > 1:
            return key, None, "ambiguous"
        return key, top[0], "contains"


def key_maker_texts(con: duckdb.DuckDBPyConnection) -> MakerKeyStats:
    """Fill ``maker_aliases.alias_key`` and rebuild ``maker_text_keys``; safe to re-run."""
    aliases = con.execute("SELECT DISTINCT maker, alias, kind FROM maker_aliases ORDER BY ALL").fetchall()
    index = AliasIndex([(row[0], row[1], row[2]) for row in aliases])
    distinct_aliases = sorted({row[1] for row in aliases})
    create_temp_table(
        con,
        "tmp_alias_keys",
        {"alias": "VARCHAR", "alias_key": "VARCHAR"},
        ((alias, name_key(alias) or None) for alias in distinct_aliases),
    )
    con.execute(
        "UPDATE maker_aliases SET alias_key = k.alias_key FROM tmp_alias_keys AS k"
        " WHERE k.alias = maker_aliases.alias"
    )
    texts = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT t FROM (SELECT manufacturer_text AS t FROM declarations"
            " UNION SELECT trademark_text FROM declarations) WHERE t IS NOT NULL ORDER BY t"
        ).fetchall()
    ]
    rows = [(text, *index.match(text)) for text in texts]
    create_temp_table(
        con,
        "tmp_maker_text_keys",
        {"text": "VARCHAR", "text_key": "VARCHAR", "alias_key": "VARCHAR", "match": "VARCHAR"},
        rows,
    )
    con.execute("DELETE FROM maker_text_keys")
    con.execute(
        "INSERT INTO maker_text_keys SELECT text, text_key, alias_key, match FROM tmp_maker_text_keys"
    )
    con.execute("DROP TABLE tmp_alias_keys")
    con.execute("DROP TABLE tmp_maker_text_keys")
    counts = Counter(row[3] for row in rows)
    return MakerKeyStats(len(aliases), len(texts), counts["exact"], counts["contains"], counts["ambiguous"])
