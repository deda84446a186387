"""Language identification: the coder reads English, so other languages are rejected.

The detector is py3langid (a modernised langid.py: a naive Bayes model over byte n-grams,
140 languages; its model ships inside the PyPI wheel, 4.5 MB installed). It takes about
1-2 ms for a news article and loads once per process, on first use (about 0.7 s).

A text is called non-English only on strong evidence: at least MIN_WORDS words, the top
language at least MIN_CONFIDENCE (normalised probability), and English itself below
MAX_ENGLISH. Short texts and mixed or uncertain ones are kept: a wrong rejection loses an
article, a wrong acceptance only costs a coding pass that finds nothing.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

MIN_WORDS = 20
MIN_CONFIDENCE = 0.90
MAX_ENGLISH = 0.05
SAMPLE_CHARS = 3000  # the first characters are enough to tell, and keep it fast

_WORDS = re.compile(r"\w+")
_lock = threading.Lock()
_identifier: Any = None

# ISO 639-1 codes py3langid uses, named for messages (others are shown as their code)
NAMES = {
    "ar": "Arabic",
    "de": "German",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class Guess:
    language: str  # ISO 639 code
    confidence: float  # its normalised probability
    english: float  # the probability of English


def _get() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def identify(text: str) -> Guess:
    """The most likely language of ``text`` (its first SAMPLE_CHARS characters)."""
    ranked = _get().rank(text[:SAMPLE_CHARS])
    top, p = ranked[0]
    english = next((q for lang, q in ranked if lang == "en"), 0.0)
    return Guess(str(top), float(p), float(english))


def non_english(text: str) -> Guess | None:
    """The guess when ``text`` is confidently not English; None when it is English, too
    short to tell, or uncertain."""
    if len(_WORDS.findall(text[:SAMPLE_CHARS])) < MIN_WORDS:
        return None
    guess = identify(text)
    if guess.language == "en":
        return None
    if guess.confidence < MIN_CONFIDENCE or guess.english >= MAX_ENGLISH:
        return None
    return guess


def describe(guess: Guess) -> str:
    name = NAMES.get(guess.language, guess.language)
    return (
        f"not English: the text reads as {name} ({guess.language}, p={guess.confidence:.2f}; "
        f"English p={guess.english:.2f}); dyad codes English only"
    )
