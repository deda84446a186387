"""Tone on GDELT's scale: % positive words - % negative words."""

from __future__ import annotations

import time

import pytest

from dyad.tone import ToneScore, article_tone, sentence_tone, tone_scores

POSITIVE = [
    "The two leaders praised the agreement as a great success and pledged lasting friendship.",
    "Aid workers welcomed the generous donation and thanked the volunteers.",
    "The ministers celebrated a historic peace deal and promised to cooperate.",
    "Both sides expressed hope for a fair and peaceful solution.",
    "The president congratulated the winner and wished him luck.",
]
NEGATIVE = [
    "Rebels killed twelve civilians in a brutal attack, and the government condemned the massacre.",
    "The bombing destroyed the hospital and wounded dozens of terrified children.",
    "Critics accused the regime of torture, corruption and violent repression.",
    "The minister warned of a catastrophic war and denounced the threats.",
    "Angry protesters clashed with riot police after the disputed election.",
]
NEUTRAL = [
    "The committee will meet on Tuesday to review the budget.",
    "The delegation travelled to the capital by train.",
    "The ministry published the figures for the third quarter.",
    "Officials from both countries met in the afternoon.",
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive_sentences(text: str) -> None:
    assert sentence_tone(text) > 5


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative_sentences(text: str) -> None:
    assert sentence_tone(text) < -5


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_sentences(text: str) -> None:
    assert sentence_tone(text) == 0.0


def test_scale_is_percent_positive_minus_percent_negative() -> None:
    # 10 words: "praised" and "success" positive, "attack" negative.
    text = "The envoy praised the success despite the attack on Monday."
    score = tone_scores(text)
    assert score.words == 10
    assert score.positive == pytest.approx(20.0)
    assert score.negative == pytest.approx(10.0)
    assert score.tone == pytest.approx(10.0)
    assert score.polarity == pytest.approx(30.0)
    assert sentence_tone(text) == pytest.approx(10.0)


def test_bounds() -> None:
    assert sentence_tone("Peace!") == pytest.approx(100.0)
    assert sentence_tone("War.") == pytest.approx(-100.0)
    for text in POSITIVE + NEGATIVE + NEUTRAL:
        assert -100.0 <= sentence_tone(text) <= 100.0


def test_negation_flips_a_word() -> None:
    assert sentence_tone("The talks did not fail.") > 0
    assert sentence_tone("The talks didn’t fail.") > 0
    assert sentence_tone("There was no progress at the talks.") < 0
    assert sentence_tone("The ceasefire was never respected.") < 0
    assert sentence_tone("The vote passed without violence.") > 0


def test_names_and_news_senses_are_not_sentiment() -> None:
    assert sentence_tone("The United Nations Security Council met in New York.") == 0.0
    assert sentence_tone("Countries like Georgia asked questions.") == 0.0
    assert sentence_tone("The special envoy briefed the intelligence committee.") == 0.0
    assert sentence_tone("The Justice Department opened an inquiry.") == 0.0
    # A capitalised word that opens a sentence or a quotation still counts.
    assert sentence_tone("Disastrous, he said.") < 0
    assert sentence_tone("He called it “Disastrous” and left.") < 0
    assert sentence_tone("He said: Excellent work.") > 0


def test_mild_words_and_intensifiers_do_not_count() -> None:
    # "launched" (+0.5) and "defense" (+0.5) are below the 1.0 threshold.
    assert sentence_tone("The army launched a defense review.") == 0.0
    assert sentence_tone("The talks were extremely long.") == 0.0


def test_article_tone_pools_words() -> None:
    long_neutral = "The delegation travelled to the capital by train on Tuesday morning."
    short_negative = "Gunmen killed many."
    pooled = article_tone([long_neutral, short_negative])
    mean_of_sentences = (sentence_tone(long_neutral) + sentence_tone(short_negative)) / 2
    assert pooled == pytest.approx(-100.0 * 1 / 14)  # one negative word in 14
    assert pooled > mean_of_sentences
    assert article_tone([long_neutral + " " + short_negative]) == pytest.approx(pooled)


def test_article_tone_of_a_typical_article_is_in_gdelt_range() -> None:
    article = POSITIVE[:2] + NEGATIVE[:3] + NEUTRAL * 5
    assert -10.0 < article_tone(article) < 0.0


def test_empty_and_wordless_texts() -> None:
    assert sentence_tone("") == 0.0
    assert sentence_tone("  -- 123 ...") == 0.0
    assert article_tone([]) == 0.0
    assert tone_scores([]) == ToneScore(0.0, 0.0, 0.0, 0.0, 0)


def test_tone_scores_accepts_a_string_or_sentences() -> None:
    assert tone_scores(POSITIVE[0]) == tone_scores([POSITIVE[0]])


def test_all_caps_text_is_scored() -> None:
    assert sentence_tone("WAR AND TERROR RETURN") < 0


def test_sentence_tone_is_fast() -> None:
    text = NEGATIVE[0] + " " + NEUTRAL[0]
    sentence_tone(text)  # loads the lexicon
    start = time.perf_counter()
    for _ in range(2000):
        sentence_tone(text)
    assert (time.perf_counter() - start) / 2000 < 0.001  # ~10 µs on a laptop
