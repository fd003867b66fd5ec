"""Name keys for companies written in Latin, Cyrillic or Chinese, with or without their legal form.

The same importer appears as "I MACHINE TECHNOLOGY LLC", "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»" and
"OOO AI MASHIN TEKHNOLODZHI". A key that survives case, script, quotes, punctuation, word order and
the legal form lets SQL group spellings with a plain equality join; fuzzy scoring (screening.py)
then only has to deal with what the key cannot.

This is the one module that makes every name key the system stores or compares. Steps, each data in
``config/matching.yaml`` or a shipped file:

1. Legal forms go: rigour's org types, the configured tokens, the GLEIF ISO 20275 abbreviations
   (``config/legal_forms_gleif.csv``, CC0, only at the start or end of a name, where a legal form stands,
   because many are also ordinary words: "as", "se") and CJK forms written without word boundaries
   (股份有限公司 at the end of 台中精機廠股份有限公司).
2. Everything is transliterated to ASCII (Cyrillic via rigour's tables, Han via pinyin, one token per
   syllable) and competing romanisations folded ("kh" -> "h").
3. Abbreviations are expanded (INTL -> international, SRVCES -> services).
4. Cyrillic renderings of English loanwords go back to the English word (tehnolodzhi -> technology),
   by table and by regular endings ("...olodzhi" -> "...ology").
5. Taiwanese / Wade-Giles spellings become the pinyin syllables the Han characters give
   (Taichung -> "tai zhong", the same as 台中).

``token_weights`` then learns from the loaded list how much each word identifies: LTD, TRADE or
MACHINERY, frequent in the list, count little.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from rigour.names import remove_org_types
from rigour.text.normalize import Normalize, normalize
from rigour.text.phonetics import metaphone
from rigour.text.scripts import codepoint_script
from rigour.text.translit import ascii_text

from sanctrace.resolve.config import MatchingConfig, default_config

# Unicode script names (as rigour reports them) -> ISO 15924 codes used in party_names.script.
_ISO15924 = {
    "Latin": "Latn",
    "Cyrillic": "Cyrl",
    "Han": "Hani",
    "Greek": "Grek",
    "Arabic": "Arab",
    "Hebrew": "Hebr",
    "Hangul": "Hang",
    "Hiragana": "Hira",
    "Katakana": "Kana",
    "Armenian": "Armn",
    "Georgian": "Geor",
    "Thai": "Thai",
    "Devanagari": "Deva",
}


_NAME_WORDS = Normalize.CASEFOLD | Normalize.NAME  # combined once: an enum "|" runs Python code


def _words(text: str) -> list[str]:
    """Casefolded words with punctuation and quotes removed (rigour's name tokeniser)."""
    return (normalize(text, _NAME_WORDS) or "").split()


@lru_cache(maxsize=500_000)
def _fold(token: str, config: MatchingConfig) -> str:
    """The config's transliteration and ending folds, repeated until stable so that folding is
    idempotent ("kkhh" -> "khh" -> "hh"). Keyed on the config (its hash is computed once), not on
    the fold tables, whose tuples Python would hash again on every lookup."""
    folds, endings = config.transliteration_folds, config.ending_folds
    while True:
        folded = token
        for source, target in folds:
            folded = folded.replace(source, target)
        for source, target in endings:
            if folded.endswith(source) and len(folded) > len(source) + 2:
                folded = folded[: -len(source)] + target
        if folded == token:
            return token
        token = folded


@lru_cache(maxsize=500_000)
def _ascii_word(word: str) -> tuple[str, ...]:
    return tuple(_words(ascii_text(word)))


def _latin_words(text: str) -> list[str]:
    # Transliteration costs about 0.02 ms per character; words repeat across company names far more
    # than whole names do, so it is done and cached per word.
    return [part for word in _words(text) for part in (_ascii_word(word) if not word.isascii() else (word,))]


@cache
def _gleif_forms() -> tuple[frozenset[tuple[str, ...]], tuple[str, ...]]:
    """GLEIF legal-form abbreviations as token tuples, and CJK legal-form names (longest first)."""
    text = resources.files("sanctrace").joinpath("config", "legal_forms_gleif.csv").read_text("utf-8")
    latin: set[tuple[str, ...]] = set()
    cjk: set[str] = set()
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] == "cjk_name":
            cjk.add(row["form"])
        else:
            words = tuple(w for word in _words(row["form"]) for w in _ascii_word(word))
            if words:
                latin.add(words)
    return frozenset(latin), tuple(sorted(cjk, key=lambda f: (-len(f), f)))


def is_legal_form(words: Iterable[str]) -> bool:
    """Whether the casefolded ASCII ``words`` are together a GLEIF legal-form abbreviation."""
    return tuple(words) in _gleif_forms()[0]


@lru_cache(maxsize=8)
def _cjk_forms(config: MatchingConfig) -> tuple[str, ...]:
    """The configured and GLEIF CJK forms, longest first (built once, not for every name)."""
    return tuple(sorted({*config.cjk_legal_forms, *_gleif_forms()[1]}, key=lambda f: (-len(f), f)))


def _strip_cjk_forms(text: str, config: MatchingConfig) -> str:
    # Unsegmented forms at the end of a name first (repeatedly: 有限公司 then 企业), then the
    # configured ones anywhere, as before. One endswith call tests every form (C code); only a name
    # that ends with one looks for which, longest first, and never strips the whole name.
    cjk = _cjk_forms(config)
    stripped = text.rstrip()
    while stripped.endswith(cjk):
        form = next((f for f in cjk if stripped.endswith(f) and len(stripped) > len(f)), None)
        if form is None:
            break
        stripped = stripped[: -len(form)].rstrip()
    for form in config.cjk_legal_forms:
        stripped = stripped.replace(form, " ")
    return stripped


def _strip_edge_forms(words: list[str]) -> list[str]:
    """Remove GLEIF legal forms (up to 4 words) at the start and end of a name, repeatedly."""
    forms = _gleif_forms()[0]
    changed = True
    while changed and words:
        changed = False
        for size in (4, 3, 2, 1):
            if len(words) > size and tuple(words[-size:]) in forms:
                words = words[:-size]
                changed = True
                break
            if len(words) > size and tuple(words[:size]) in forms:
                words = words[size:]
                changed = True
                break
    return words


@lru_cache(maxsize=8)
def _rewrite_tables(
    config: MatchingConfig,
) -> tuple[dict[str, str], dict[str, str], dict[str, str], tuple[str, ...]]:
    """The abbreviation, loanword and romanisation tables as dicts, and the translation stems: built
    once per config, not for every new word."""
    stems = tuple(stem for stem, _ in config.translations)
    return dict(config.abbreviations), dict(config.loanwords), dict(config.romanisations), stems


@lru_cache(maxsize=500_000)
def _rewrite(word: str, config: MatchingConfig) -> tuple[str, ...]:
    """Abbreviation, loanword and romanisation tables, then loanword endings, for one folded token.

    Cached: names repeat their words, and the tables are scanned word by word.
    """
    abbreviations, loanwords, romanisations, stems = _rewrite_tables(config)
    word = abbreviations.get(word, word)
    loan = loanwords.get(word)
    if loan is not None:
        return tuple(loan.split())
    roman = romanisations.get(word)
    if roman is not None:
        return tuple(roman.split())
    if word.startswith(stems):  # one C call tests every stem; only a hit looks for the first one
        for stem, english in config.translations:
            if word.startswith(stem):
                return (english,)
    for ending, english in config.loanword_suffixes:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return (word[: -len(ending)] + english,)
    return (word,)


_ROMAN = {
    "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"
}  # fmt: skip


_TRAILING_ROMAN = re.compile(r"(?<=\w)[\s,]+(ii|iii|iv|vi|vii|viii|ix)\W*$")


def _numbers(words: list[str]) -> list[str]:
    """A roman numeral ending a name of several words is a number ("JUPITER I" is "JUPITER 1")."""
    if len(words) > 1 and (words[-1] in _ROMAN or words[-1] == "i"):
        return [*words[:-1], _ROMAN.get(words[-1], "1")]
    return words


@lru_cache(maxsize=200_000)
def _tokens(name: str, config: MatchingConfig) -> tuple[str, ...]:
    original = unicodedata.normalize("NFKC", name).casefold()
    for letter, spelt in config.romanisation_letters:
        original = original.replace(letter, spelt)
    # A roman numeral ending a name is a number, before rigour takes "II" for a legal form (Romania).
    original = _TRAILING_ROMAN.sub(lambda m: " " + _ROMAN[m.group(1)], original)
    text = _strip_cjk_forms(original, config)
    # Once with the punctuation still in place ("ltd. şti.", "sp. z o.o."), once after transliteration
    # ("ооо" only becomes "ooo" there).
    text = remove_org_types(text, replacement=" ")
    latin = " ".join(_latin_words(text))
    words = _words(remove_org_types(latin, replacement=" "))
    words = [out for w in words for out in _rewrite(_fold(w, config), config)]
    words = _strip_edge_forms(_numbers([w for w in words if w not in config.legal_form_tokens]))
    if not words:
        # A name that is nothing but a legal form ("ООО") keeps it rather than becoming empty.
        words = [_fold(w, config) for w in _latin_words(original)]
    return tuple(words)


def name_tokens(name: str, config: MatchingConfig | None = None) -> list[str]:
    """The identity-bearing words of ``name``, in their original order.

    Casefolded, transliterated to ASCII (Cyrillic via rigour's tables, Han via pinyin), legal forms
    removed, punctuation and quotes dropped, competing romanisations folded (see matching.yaml).
    """
    return list(_tokens(name, config or default_config()))


def name_key(name: str, config: MatchingConfig | None = None) -> str:
    """A blocking/clustering key: the sorted ``name_tokens`` joined by single spaces.

    Idempotent by construction: sorting can bring words together that form a legal form ("joint stock
    company"), so the key is recomputed until it no longer changes.
    """
    cfg = config or default_config()
    key = " ".join(sorted(_tokens(name, cfg)))
    while True:
        again = " ".join(sorted(_tokens(key, cfg)))
        if again == key:
            return key
        key = again


@lru_cache(maxsize=200_000)
def phonetic_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Metaphone code of each token (digits kept as they are): spelling variants that sound alike meet."""
    return tuple((metaphone(t) or t) if t.isalpha() else t for t in tokens)


class TokenWeights:
    """How much a word identifies a party, learned from the document frequencies of a loaded list.

    weight = idf / max idf, clipped to [floor, 1], where idf = log((N + 1) / (df + 1)) over N names.
    With fewer than ``min_names`` names the counts say little, and the configured generic words get
    ``generic_weight`` while every other word weighs 1. A word never seen weighs 1.
    """

    def __init__(self, documents: Iterable[Iterable[str]], config: MatchingConfig) -> None:
        self.config = config
        self.df: Counter[str] = Counter()
        self.n = 0
        for tokens in documents:
            self.n += 1
            self.df.update(set(tokens))
        self.learned = self.n >= config.token_weights.min_names
        self._max_idf = math.log(self.n + 1) if self.n else 1.0
        self._memo: dict[str, float] = {}  # the matcher asks for the same words over and over

    def __call__(self, token: str) -> float:
        found = self._memo.get(token)
        if found is None:
            found = self._memo[token] = self._weigh(token)
        return found

    def _weigh(self, token: str) -> float:
        generic = token in self.config.generic_words
        prior = self.config.weights.generic_weight if generic else 1.0
        if not self.learned:
            return prior
        df = self.df.get(token, 0)
        weight = math.log((self.n + 1) / (df + 1)) / self._max_idf
        learned = min(1.0, max(self.config.token_weights.floor, weight))
        # A configured generic word never weighs more than the configuration says.
        return min(learned, prior)


def detect_script(name: str) -> str | None:
    """ISO 15924 code of the script most letters of ``name`` are written in (``None``: no letters)."""
    counts: Counter[str] = Counter()
    for char in name:
        if char.isalpha():
            script = codepoint_script(ord(char))
            if script and script not in ("Common", "Inherited"):
                counts[script] += 1
    if not counts:
        return None
    script = counts.most_common(1)[0][0]
    return _ISO15924.get(script, script[:4].title())
