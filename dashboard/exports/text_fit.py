"""Text measured in the fonts the briefing packs use: shaped widths, line heights, fitting.

PowerPoint and LibreOffice lay out a slide's text themselves; the pack sizes its boxes,
table rows and font sizes beforehand so that the text they will lay out fits. Widths are
shaped by HarfBuzz (a Khmer cluster is narrower than its characters side by side); lines
break where `khmer_breaks` allows, which is where the renderers may break too.
English text is measured in DejaVu Sans, wider than Calibri (the font the PPTX names),
which LibreOffice falls back to where Calibri is missing.
"""

import functools
import math
import os
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from exports import khmer_breaks

FONT_DIR = Path(os.environ.get("COVERAGE_FONT_DIR", "/usr/share/fonts/truetype"))
# Debian's fonts-khmeros and fonts-dejavu-core (Makefile: system-packages).
FACES = {
    ("km", False): "khmeros/KhmerOSsys.ttf",
    ("km", True): "khmeros/KhmerOSsys.ttf",  # no bold face: renderers embolden it
    ("en", False): "dejavu/DejaVuSans.ttf",
    ("en", True): "dejavu/DejaVuSans-Bold.ttf",
}
SLACK = 1.06  # renderers differ a little (synthetic bold, hinting): leave room
MIN_LINE = 1.2  # PowerPoint's single spacing, for fonts with a smaller natural height
AFTER = 0.3  # space after a paragraph of a text box, in ems of its type


@functools.cache
def _face(lang: str, bold: bool) -> tuple[hb.Font, float, float]:
    """The face of a language and weight: HarfBuzz font, units per em, line height in em."""
    path = FONT_DIR / FACES[(lang, bold)]
    blob = hb.Blob.from_file_path(str(path))
    font = hb.Font(hb.Face(blob))
    meta = TTFont(str(path), lazy=True)
    upem = meta["head"].unitsPerEm
    hhea, os2 = meta["hhea"], meta["OS/2"]
    natural = max(hhea.ascent - hhea.descent + hhea.lineGap, os2.usWinAscent + os2.usWinDescent)
    return font, upem, max(natural / upem, MIN_LINE)


def width(text: str, size: float, lang: str, bold: bool = False) -> float:
    """The shaped advance of `text` at `size` points, in points (with SLACK)."""
    font, upem, _ = _face(lang, bold)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    return sum(p.x_advance for p in buffer.glyph_positions) * size / upem * SLACK


def line_height(size: float, lang: str) -> float:
    """The height of one line at `size` points, in points (the font's own, at least 1.2)."""
    return round(size * _face(lang, False)[2], 1)


def lines(text: str, room: float, size: float, lang: str, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `room` points."""
    return khmer_breaks.wrap(text, room, lambda line: width(line, size, lang, bold))


def space_after(size: float) -> float:
    """The space after a paragraph of `size` points, in points."""
    return round(size * AFTER, 1)


def height(paragraphs, room: float, lang: str, scale: float = 1.0) -> float:
    """The height in points of paragraphs of (text, size, bold) set `room` points wide.

    Each paragraph is followed by its `space_after`, the last one too (room to spare).
    """
    return sum(
        len(lines(text, room, size * scale, lang, bold)) * line_height(size * scale, lang)
        + space_after(size * scale)
        for text, size, bold in paragraphs
    )


def scale_to_fit(paragraphs, room: float, tall: float, lang: str, smallest: float = 0.5) -> float:
    """The largest scale (1, 0.95, 0.9 …, at least `smallest`) at which paragraphs fit.

    Args:
        paragraphs: (text, size in points, bold) of each paragraph.
        room: the width they are set in, in points.
        tall: the height they must fit in, in points.
        lang: their language.
        smallest: the scale below which the text is not shrunk (it would be unreadable).
    """
    steps = math.floor((1 - smallest) / 0.05 + 1e-9)
    for step in range(steps + 1):
        scale = 1 - 0.05 * step
        if height(paragraphs, room, lang, scale) <= tall:
            return scale
    return smallest
