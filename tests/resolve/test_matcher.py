"""The matcher: DOMAIN.md §4 hard cases, explanations, identifiers, learned word weights."""

from __future__ import annotations

import pytest

from sanctrace.resolve.config import default_config
from sanctrace.resolve.matcher import (
    FEATURES,
    MatchResult,
    NameCeiling,
    align,
    match,
    name_sounds,
    prepare,
)
from sanctrace.resolve.names import TokenWeights, name_tokens

THRESHOLD = default_config().model.match_threshold


def score(a: str, b: str, **kwargs: object) -> MatchResult:
    query = prepare([a], **kwargs)  # type: ignore[arg-type]
    return match(query, prepare([b], **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "I MACHINE TECHNOLOGY LLC"),
        ("OOO AI MASHIN TEKHNOLODZHI", "I MACHINE TECHNOLOGY LLC"),
        ("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "OOO AI MASHIN TEKHNOLODZHI"),
    ],
)
def test_i_machine_technology_matches_in_three_scripts(a: str, b: str) -> None:
    result = score(a, b, country="RU")
    assert result.score >= THRESHOLD
    assert result.score < 1.0  # names alone never reach the certainty of a shared registration number


def test_two_taiwanese_firms_with_different_ubns_do_not_match() -> None:
    victor = prepare(
        ["Victor Taichung Machinery Works Co., Ltd."], country="TW", identifiers={"ubn": ["22099131"]}
    )
    other = prepare(["Taichung Machinery Works Co., Ltd."], country="TW", identifiers={"ubn": ["22099136"]})
    result = match(victor, other)
    assert result.score < THRESHOLD
    conflict = next(f for f in result.features if f.name == "identifier_conflict")
    assert conflict.value == 1.0 and conflict.contribution < 0
    # Without the numbers the names alone look alike: the conflict is what keeps them apart.
    names_only = match(
        prepare(["Victor Taichung Machinery Works Co., Ltd."]), prepare(["Taichung Machinery Works"])
    )
    assert names_only.score > result.score


def test_shared_valid_identifier_decides_whatever_the_script() -> None:
    chinese = prepare(["台中精機廠股份有限公司"], identifiers={"ubn": ["22099131"]})
    english = prepare(["Victor Taichung Machinery Works Co., Ltd."], identifiers={"ubn": ["22099131"]})
    result = match(chinese, english)
    assert (result.score, result.decided_by) == (1.0, "identifier_match")
    assert result.explanations() == ["ubn 22099131 shared: decisive"]


def test_wade_giles_spelling_meets_the_han_characters() -> None:
    assert name_tokens("台中") == name_tokens("Taichung") == ["tai", "zhong"]
    result = match(prepare(["台中精機"]), prepare(["Taichung Jingji"]))
    assert result.score >= THRESHOLD


def test_every_feature_is_explained_with_value_weight_and_contribution() -> None:
    result = score("Sberbank Technologies AO", "JSC SBERBANK TECHNOLOGIES")
    assert [f.name for f in result.features] == list(FEATURES)
    for feature in result.features:
        assert 0.0 <= feature.value <= 1.0
        assert feature.contribution == pytest.approx(feature.weight * feature.value, abs=1e-3)
        assert feature.weight == default_config().model.weight(feature.name)
    assert any("sberbank=sberbank" in line for line in result.explanations())


def test_generic_words_cannot_carry_a_match() -> None:
    assert score("ALFA GLOBAL TRADING GROUP LLC", "OMEGA GLOBAL TRADING GROUP LTD").score < THRESHOLD
    assert score("OMEGA GLOBAL TRADING GROUP", "OMEGA GLOBAL TRADING GROUP LTD").score >= THRESHOLD


def test_abbreviations_and_word_order() -> None:
    assert score("XYZ INTL SRVCES COMP", "XYZ International Services Company").score >= THRESHOLD
    assert score("Works Machinery Victor", "Victor Machinery Works").score >= THRESHOLD


def test_scores_are_graded_not_bunched_at_one() -> None:
    exact = score("Novilab Mobile", "NOVILAB MOBILE OOO").score
    typo = score("Novilab Mobil", "NOVILAB MOBILE OOO").score
    partial = score("Novilab", "NOVILAB MOBILE OOO").score
    assert 1.0 > exact > typo > partial


def test_token_weights_are_learned_from_frequencies() -> None:
    config = default_config()
    documents = [("alpha", "trade", "machinery")] * 50 + [(f"name{i}", "trade") for i in range(300)]
    weights = TokenWeights(documents, config)
    assert weights.learned
    assert weights("trade") < weights("machinery") < weights("name7") <= weights("unseen") == 1.0
    few = TokenWeights([("alpha", "trade")], config)
    assert not few.learned
    assert few("trading") == config.weights.generic_weight and few("alpha") == 1.0


def test_glued_and_split_words_align() -> None:
    glued = prepare(["Federal Service for MilitaryTechnical Cooperation"])
    split = prepare(["FEDERAL SERVICE FOR MILITARY-TECHNICAL COOPERATION"])
    result = match(glued, split)
    assert "militarytechnical~military+technical" in result.explanations()[0]
    assert result.score >= THRESHOLD


def _exact_ceilings(query: str, names: list[str]) -> tuple[NameCeiling, ...]:
    """Each name's own Dice and phonetic overlap with the query: the tightest ceilings there are."""
    cfg = default_config()
    weight = TokenWeights((), cfg)
    q_tokens = tuple(name_tokens(query))
    q_codes, q_total = name_sounds(q_tokens, weight)
    found = []
    for name in names:
        tokens = tuple(name_tokens(name))
        c_codes, c_total = name_sounds(tokens, weight)
        shared = sum(q_codes[c] + c_codes[c] for c in q_codes.keys() & c_codes.keys())
        dice = align(q_tokens, tokens, weight, cfg.weights.token_similarity_min)[0]
        found.append(NameCeiling(dice, shared / (q_total + c_total)))
    return tuple(found)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        # the best alias listed last, behind weaker ones
        ("ELEKTROPRIBOR", ["CONCERN CSRI ELEKTROPRIBOR JSC", "ELEKTRO PRIBOR PLANT", "ELEKTROPRIBOR"]),
        # equal ceilings and equal values: the name listed first must win, as without ceilings
        ("ACME TRADING", ["ACME TRADING LLC", "ACME TRADING CO", "ACME"]),
        # no name shares anything
        ("NORDIC STAR", ["ELEKTROPRIBOR", "TAICHUNG MACHINERY"]),
    ],
)
def test_name_ceilings_save_work_without_changing_the_result(query: str, names: list[str]) -> None:
    q = prepare([query])
    c = prepare(names)
    plain = match(q, c)
    for ceilings in (
        _exact_ceilings(query, [n for n, _ in c.names]),
        tuple(NameCeiling(1.0, 1.0) for _ in c.names),
    ):
        assert match(q, c, ceilings=ceilings) == plain  # score, features and every detail string
