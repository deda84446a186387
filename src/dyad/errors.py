"""One error hierarchy with stable codes, and Rejection for input that is skipped.

Every error a user can cause carries a stable code (``[D101]``) that tests and scripts can
match, and a message naming the input and what is wrong. The CLI prints ``str(err)``; it
never shows a traceback for a DyadError.
"""

from __future__ import annotations

from dataclasses import dataclass


class DyadError(Exception):
    """Base class of every error dyad raises on purpose."""

    code = "D000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InputError(DyadError):
    """An input file or record cannot be read (missing, unknown format, malformed)."""

    code = "D100"


class InputNotFound(InputError):
    code = "D101"


class UnknownFormat(InputError):
    code = "D102"


class MalformedRecord(InputError):
    code = "D103"


class InputRejected(InputError):
    """An input that is readable but refused: binary, too large, empty of text."""

    code = "D104"


class LexiconError(DyadError):
    """A lexicon or user dictionary file is invalid."""

    code = "D200"


class ModelError(DyadError):
    """The spaCy pipeline cannot be loaded."""

    code = "D300"


class GoldFormatError(DyadError):
    """A gold-standard file for `dyad eval` is in the wrong format."""

    code = "D400"


class StoreError(DyadError):
    """The event database is missing, corrupt, foreign or cannot be written."""

    code = "D500"


class UsageError(DyadError):
    """A command-line or API argument is invalid."""

    code = "D600"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that was skipped, with a reason code and a message naming it.

    Reason codes are stable: empty, binary, too_large, bad_encoding, not_english, no_text,
    duplicate, fetch_error, parse_error. A non-English text is rejected with reason
    ``language:xx`` (its ISO 639 code), counted as not_english (docs/ingest.md).
    """

    input: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.input}: {self.reason}: {self.message}"
