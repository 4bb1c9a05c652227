"""Where a line of Khmer (or any) text may break: ICU line breaking, never inside a cluster.

Khmer writes no space between words, so a renderer that breaks only at spaces cuts a long
phrase wherever the line is full, often inside a syllable (a dependent vowel or a subscript
consonant starting the next line). ICU's line breaker knows Khmer words from its
dictionary; a word longer than a whole line is split between grapheme clusters, never
inside one. The PDF breaks lines here itself; PowerPoint and LibreOffice get a zero-width
space at each Khmer break, which both honour; charts wrap their long lines here too.
"""

import unicodedata
from collections.abc import Callable

import icu

ZWSP = "\u200b"
# Dependent vowels U+17B6–U+17C5, signs U+17C6–U+17D1, U+17D3, U+17DD and the coeng
# U+17D2: none of them may start a line.
NEVER_FIRST = frozenset([chr(c) for c in range(0x17B6, 0x17D2)] + ["\u17d2", "\u17d3", "\u17dd"])
# ... nor the repetition sign ៗ or the Khmer stops ។ ៕ ៖, which close the word before them.
NO_BREAK_BEFORE = NEVER_FIRST | frozenset("\u17d4\u17d5\u17d6\u17d7")


def is_khmer(char: str) -> bool:
    """Whether a character is of the Khmer or Khmer Symbols block."""
    return "\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff"


def _pieces(text: str, iterator) -> list[str]:
    # ICU counts UTF-16 units: slice its own string, never the Python one.
    unicode = icu.UnicodeString(text)
    iterator.setText(unicode)
    bounds = [0, *iterator]
    return [str(unicode[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def segments(text: str) -> list[str]:
    """`text` cut at every line-break opportunity (each piece keeps its trailing spaces).

    ICU's Khmer dictionary may cut before ៗ (it repeats the word before it): such a piece
    joins the one before, as would one starting inside a cluster.
    """
    pieces: list[str] = []
    for piece in _pieces(text, icu.BreakIterator.createLineInstance(icu.Locale("km"))):
        if pieces and piece[0] in NO_BREAK_BEFORE:
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def clusters(text: str) -> list[str]:
    """`text` cut into grapheme clusters (a consonant with its subscripts, vowel and signs)."""
    return _pieces(text, icu.BreakIterator.createCharacterInstance(icu.Locale("km")))


def with_breaks(text: str) -> str:
    """`text` with a zero-width space at each break allowed between two Khmer characters.

    Nothing else changes: breaks after spaces, punctuation or digits are already visible
    to every line breaker.
    """
    pieces = segments(text)
    out = pieces[:1]
    for piece in pieces[1:]:
        if is_khmer(out[-1][-1]) and is_khmer(piece[0]):
            out.append(ZWSP)
        out.append(piece)
    return "".join(out)


def without_breaks(text: str) -> str:
    """`text` without the zero-width spaces `with_breaks` adds (for comparing texts)."""
    return text.replace(ZWSP, "")


def wrap(text: str, width: float, measure: Callable[[str], float] = len) -> list[str]:
    """Greedy lines of `text` no wider than `width`, broken only where ICU allows.

    Args:
        text: the text; a newline always breaks.
        width: the widest line, in the unit of `measure`.
        measure: a line's width (default: its length in characters).

    A piece wider than a line on its own is split between grapheme clusters; a single
    cluster wider than the line stands alone on its line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap_paragraph(paragraph, width, measure)
    return lines


def _wrap_paragraph(text: str, width: float, measure) -> list[str]:
    lines, line = [], ""
    for piece in segments(text) or [""]:
        if line and measure((line + piece).rstrip(" ")) > width:
            lines.append(line.rstrip(" "))
            line = ""
        if measure(piece.rstrip(" ")) > width:
            *full, line = _split_clusters(piece, width, measure)
            lines += full
        else:
            line += piece
    return [*lines, line.rstrip(" ")]


def _split_clusters(piece: str, width: float, measure) -> list[str]:
    """An over-long piece in lines that break only between grapheme clusters."""
    lines, line = [], ""
    for cluster in clusters(piece):
        if line and measure((line + cluster).rstrip(" ")) > width:
            lines.append(line)
            line = ""
        line += cluster
    return [*lines, line]


def bad_start(line: str) -> bool:
    """Whether a line starts with a dependent vowel, a sign or a coeng (a cut cluster)."""
    line = unicodedata.normalize("NFC", line).lstrip(" " + ZWSP)
    return bool(line) and line[0] in NEVER_FIRST
