"""Name keys for companies written in Latin, Cyrillic or Chinese, with or without their legal form.

The same importer appears as "I MACHINE TECHNOLOGY LLC", "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»" and
"OOO AI MASHIN TEKHNOLODZHI". A key that survives case, script, quotes, punctuation, word order and
the legal form lets SQL group spellings with a plain equality join; fuzzy scoring (screening.py)
then only has to deal with what the key cannot.

Known limit: loanwords transliterated into Cyrillic stay phonetic ("технолоджи" -> "tehnolodzhi",
never "technology"); mapping them back is a later issue.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

from rigour.names import remove_org_types
from rigour.text.normalize import Normalize, normalize
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


def _words(text: str) -> list[str]:
    """Casefolded words with punctuation and quotes removed (rigour's name tokeniser)."""
    return (normalize(text, Normalize.CASEFOLD | Normalize.NAME) or "").split()


def _fold(token: str, folds: tuple[tuple[str, str], ...]) -> str:
    # Repeat until stable so that folding is idempotent ("kkhh" -> "khh" -> "hh").
    while True:
        folded = token
        for source, target in folds:
            folded = folded.replace(source, target)
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


@lru_cache(maxsize=200_000)
def _tokens(name: str, config: MatchingConfig) -> tuple[str, ...]:
    original = unicodedata.normalize("NFKC", name).casefold()
    text = original
    for form in config.cjk_legal_forms:
        text = text.replace(form, " ")
    # Once with the punctuation still in place ("ltd. şti.", "sp. z o.o."), once after transliteration
    # ("ооо" only becomes "ooo" there).
    text = remove_org_types(text, replacement=" ")
    latin = " ".join(_latin_words(text))
    words = _words(remove_org_types(latin, replacement=" "))
    words = [w for w in words if w not in config.legal_form_tokens]
    if not words:
        # A name that is nothing but a legal form ("ООО") keeps it rather than becoming empty.
        words = _latin_words(original)
    return tuple(_fold(w, config.transliteration_folds) for w in words)


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
