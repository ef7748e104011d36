"""Plain checks on text people type."""

import unicodedata

# Letters that draw nothing although Unicode calls them letters or symbols (Hangul fillers,
# the blank Braille pattern): a favourite of names that look empty.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Separators, controls, format characters (zero-width space, joiners, BOM, bidi marks, tags)
# and marks with nothing to sit on (the grapheme joiner U+034F, variation selectors).
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn"})


def is_blank(text: str) -> bool:
    """True when the text shows nothing: only spaces and invisible characters, or empty."""
    return all(
        char in BLANK_LETTERS or unicodedata.category(char) in INVISIBLE_CATEGORIES for char in text
    )


def has_control_characters(text: str) -> bool:
    """NUL and other C0/C1 controls, which no prompt or URL needs (newlines and tabs aside).
    PostgreSQL refuses NUL in text and JSON, and Depicta would be sent it."""
    return any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in text)
