"""Name keys: the spellings of one company meet, legal forms and word order do not matter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rigour.names import extract_org_types

from sanctrace.resolve.config import default_config
from sanctrace.resolve.names import detect_script, is_legal_form, name_key, name_tokens

LEGAL_FORMS = [
    "ООО",
    "OOO",
    "LLC",
    "Limited Liability Company",
    "АО",
    "JSC",
    "ЗАО",
    "ПАО",
    "Co., Ltd.",
    "Corp.",
    "Ltd. Şti.",
    "A.Ş.",
    "GmbH",
    "Общество с ограниченной ответственностью",
]

_config = default_config()
_word = st.text(alphabet="abcdefghijklmnoprstuvwyzабвгдежзиклмнопрстуфцчшэюя", min_size=4, max_size=9).filter(
    lambda w: (
        not extract_org_types(w)
        and not extract_org_types(" ".join(name_tokens(w)))
        and not set(name_tokens(w)) & _config.legal_form_tokens
        and not is_legal_form(name_tokens(w))
        and name_tokens(w) == name_tokens(w + " zzzz")[:1]
    )
)
_words = st.lists(_word, min_size=1, max_size=4)


def test_three_scripts_of_one_company_share_a_key() -> None:
    # Х is "kh" in passports and "h" in rigour's tables; the configured fold makes them meet, and the
    # loanword table maps the Cyrillic spelling of the English words back to them (DOMAIN.md §4).
    assert name_key("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»") == name_key("OOO AI MASHIN TEKHNOLODZHI")
    assert name_key("OOO AI MASHIN TEKHNOLODZHI") == "i machine technology"
    assert name_key("I MACHINE TECHNOLOGY LLC") == name_key("OOO AI MASHIN TEKHNOLODZHI")


def test_english_spellings_share_a_key() -> None:
    assert name_key("I MACHINE TECHNOLOGY LLC") == name_key("I Machine Technology, LLC")
    assert name_key("Limited Liability Company I Machine Technology") == "i machine technology"


def test_legal_forms_are_removed_in_every_script() -> None:
    assert name_key("台中精機廠股份有限公司") == name_key("台中精機廠")
    # Taichung (Wade-Giles) becomes the pinyin syllables of 台中.
    assert name_key("Victor Taichung Machinery Works Co., Ltd.") == "machinery tai victor works zhong"
    assert name_tokens("台中精機股份有限公司") == ["tai", "zhong", "jing", "ji"]
    assert name_tokens("三菱商事株式会社") == name_tokens("三菱商事")
    assert name_key("ABC Makina San. ve Tic. Ltd. Şti.") == "abc makina san tic ve"
    assert name_key("XYZ A.Ş.") == name_key("XYZ") == "xyz"
    assert name_key('Общество с ограниченной ответственностью "Ромашка"') == "romashka"
    assert name_key("ПАО Сбербанк") == name_key("Sberbank PJSC") == "sberbank"


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert name_key("ООО") == "ooo"


def test_tokens_keep_their_order() -> None:
    assert name_tokens("«Рога и копыта», АО") == ["roga", "i", "kopyta"]


def test_script_detection() -> None:
    assert detect_script("ООО «АЙ МАШИН»") == "Cyrl"
    assert detect_script("I Machine LLC") == "Latn"
    assert detect_script("台中精機") == "Hani"
    assert detect_script("123") is None


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_key_is_idempotent(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key


@settings(max_examples=100, deadline=None)
@given(_words, st.randoms(use_true_random=False))
def test_key_ignores_word_order(words: list[str], rnd: object) -> None:
    shuffled = list(words)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert name_key(" ".join(shuffled)) == name_key(" ".join(words))


@settings(max_examples=100, deadline=None)
@given(_words, st.sampled_from(LEGAL_FORMS), st.booleans(), st.sampled_from(["", "«", '"', "“"]))
def test_key_ignores_legal_form_and_quotes(words: list[str], form: str, before: bool, quote: str) -> None:
    closing = {"«": "»", "“": "”"}.get(quote, quote)
    core = f"{quote}{' '.join(words)}{closing}"
    decorated = f"{form} {core}" if before else f"{core}, {form}"
    assert name_key(decorated) == name_key(" ".join(words))


def test_abbreviations_loanwords_and_gleif_forms() -> None:
    assert name_key("XYZ INTL SRVCES") == name_key("XYZ International Services")
    assert name_tokens("ООО «ИНТЕРНЕШНЛ ТРЕЙДИНГ ГРУПП»") == ["international", "trading", "group"]
    assert name_tokens("ООО «СИНЕРДЖИ»") == ["synergy"]
    assert name_tokens("Alpha Makina Sanayi ve Ticaret Limited Şirketi")[:2] == ["alpha", "makina"]
    # A GLEIF abbreviation rigour does not know (Bulgarian EOOD) goes at the end of a name, where a
    # legal form stands, not inside it.
    assert name_tokens("Alpha Trading EOOD") == ["alpha", "trading"]
    assert name_tokens("Alpha Eood Trading") == ["alpha", "eood", "trading"]
    assert is_legal_form(["gmbh"]) and not is_legal_form(["hydro"])


def test_cyrillic_romanisation_systems_meet() -> None:
    # rigour's table, BGN/PCGN, passports (ICAO 9303) and ISO 9 / GOST 7.79 spell Южный Жемчуг apart.
    expected = name_tokens("ООО «Южный Жемчуг»")
    assert expected == ["yuzhny", "zhemchug"]
    for spelling in ("OOO Yuzhnyy Zhemchug", "OOO Iuzhnyi Zhemchug", "OOO Ûžnyj Žemčug"):
        assert name_tokens(spelling) == expected, spelling


def test_trailing_roman_numerals_are_numbers() -> None:
    assert name_tokens("JUPITER II") == name_tokens("Jupiter 2") == ["jupiter", "2"]
    assert name_tokens("Monte I") == ["monte", "1"]
    assert name_tokens("I Machine") == ["i", "machine"]
