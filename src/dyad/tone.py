"""Tone on GDELT's AvgTone scale, from the VADER sentiment lexicon.

GDELT's tone of a document is the percentage of its words that are positive minus the
percentage that are negative: 100 * (positive - negative) / words. It runs from -100 to
+100; real news sits mostly between -10 and +10 (a neutral wire story is near 0, a report
of a massacre near -10, a friendly summit communique +3 to +5).

dyad counts words the same way, with the VADER lexicon (``vaderSentiment``, 7,500 words
rated -4..+4 by people, shipped inside the package) deciding which words are positive or
negative, and two of VADER's rules deciding the sign:

- a word counts when its VADER rating is at least 1.0 in size (milder words such as
  "defense" 0.5 or "launched" 0.5 are neutral in news);
- a negation among the three words before it ("not", "no", "never", "without", "n't"…;
  VADER's list less "despite") flips its sign, so "did not condemn" is positive and "no
  progress" negative;
- VADER's intensifiers ("very", "extremely") are not sentiment words themselves;
- capitalised words inside a sentence are names and do not count ("United Nations",
  "Security Council", "Justice Department", "Liberty Party"), and a short list of words
  whose usual news sense is not evaluative does not count either ("like" as in "countries
  like Georgia", "special envoy", "intelligence services", "played a role"…).

Every word counts in the denominator, so an article's tone is its words' tone, not the
mean of its sentences' tones: ``article_tone(sentences)`` weighs long sentences more, as
GDELT does.

Why not VADER's ``compound`` score: it is a saturating per-sentence intensity in [-1, 1]
(a long article of mild criticism scores -0.99), not comparable with GDELT's density of
tone words; the word-count form keeps the GDELT scale and stays linear in length.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

__all__ = ["ToneScore", "article_tone", "sentence_tone", "tone_scores"]

MIN_VALENCE = 1.0
NEGATION_WINDOW = 3  # as VADER: a negation up to three words before flips a word

# Words whose dominant news sense is not evaluative.
NEWS_NEUTRAL = frozenset(
    """
    like well kind pretty party parties united security interest interests share shares
    shared please yes ok okay sure no care special intelligence justice play plays played
    certain certainly clear clearly
    """.split()
)

_PUNCT = string.punctuation + "“”‘’—–…«»"
_OPENERS = frozenset("\"“‘'(«")  # a capitalised word right after these may open a quote
_ENDERS = frozenset(".!?:;—–")  # and after a token ending with these, a sentence


@dataclass(frozen=True, slots=True)
class ToneScore:
    """GDELT's tone fields: tone = positive - negative; polarity = positive + negative
    (all in percent of ``words``)."""

    tone: float
    positive: float
    negative: float
    polarity: float
    words: int


@dataclass(frozen=True, slots=True)
class _Lexicon:
    valence: dict[str, float]
    negators: frozenset[str]
    boosters: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    """VADER's lexicon, negations and boosters, loaded once per process."""
    from vaderSentiment.vaderSentiment import (
        BOOSTER_DICT,
        NEGATE,
        SentimentIntensityAnalyzer,
    )

    lexicon = SentimentIntensityAnalyzer().lexicon
    valence = {
        word: value
        for word, value in lexicon.items()
        if abs(value) >= MIN_VALENCE and word.isalpha() and word not in NEWS_NEUTRAL
    }
    boosters = frozenset(BOOSTER_DICT)
    for word in boosters:
        valence.pop(word, None)
    # "despite" is a VADER negation, but "despite the attack" still reports an attack.
    negators = (frozenset(NEGATE) | {"no"}) - {"despite"}
    return _Lexicon(valence, negators, boosters)


def _count(text: str, lex: _Lexicon) -> tuple[int, int, int]:
    """(positive, negative, words) of one text; words are whitespace-separated tokens."""
    valence, negators = lex.valence, lex.negators
    shouting = text.isupper()
    positive = negative = words = 0
    recent: tuple[str, ...] = ("", "", "")  # the last NEGATION_WINDOW words
    opens = True  # the next word opens a sentence
    for raw in text.replace("’", "'").split():
        word = raw.strip(_PUNCT)
        if not word:
            opens = opens or raw[-1] in _ENDERS
            continue
        words += 1
        lower = word.lower()
        value = valence.get(lower)
        if value is not None and (shouting or opens or raw[0] in _OPENERS or not word[0].isupper()):
            if any(w in negators or w.endswith("n't") for w in recent):
                value = -value
            if value > 0:
                positive += 1
            else:
                negative += 1
        recent = (*recent[1:], lower)
        opens = raw[-1] in _ENDERS
    return positive, negative, words


def tone_scores(texts: str | Iterable[str]) -> ToneScore:
    """Tone, positive, negative and polarity scores (percent of words) of a text or of
    several texts taken together."""
    lex = _lexicon()
    if isinstance(texts, str):
        texts = (texts,)
    positive = negative = words = 0
    for text in texts:
        p, n, w = _count(text, lex)
        positive, negative, words = positive + p, negative + n, words + w
    if words == 0:
        return ToneScore(0.0, 0.0, 0.0, 0.0, 0)
    pos, neg = 100.0 * positive / words, 100.0 * negative / words
    return ToneScore(pos - neg, pos, neg, pos + neg, words)


def sentence_tone(text: str) -> float:
    """GDELT-style tone of one sentence: % positive words - % negative words."""
    return tone_scores(text).tone


def article_tone(texts: Iterable[str]) -> float:
    """GDELT-style tone of an article given as its sentences (or paragraphs): the word
    counts are pooled, so this is the tone of the whole text, not a mean of sentences."""
    return tone_scores(texts).tone
