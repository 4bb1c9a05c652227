"""Briefing packs: content from the suppressed tables, PDF and PowerPoint opened and read."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pptx
import pypdf
import pytest

import cli
from data_access import reads
from exports import brief, brief_files, brief_pptx, rendering
from store import storage

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
JUNE = dt.date(2024, 6, 30)
KHMER_TITLE = "វិសាលភាពកិច្ចគាំពារសង្គមសម្រាប់ពលករក្រៅប្រព័ន្ធ"  # coverage ... informal workers
PHNOM_PENH_KM = "រាជធានីភ្នំពេញ"
NO_TARGETS_KM = "មិនទាន់កំណត់គោលដៅ"  # no targets set
DEFINITIONS_KM = "និយមន័យនិងប្រភព"  # definitions and sources (spaces removed)
ZWSP = "\u200b"  # marks a Khmer word break in the PowerPoint's text


@pytest.fixture(scope="module", autouse=True)
def _close_export_server():
    yield
    rendering.SERVER.close()


@pytest.fixture(scope="module")
def tiny(tiny_store_file):
    con = storage.open_read(tiny_store_file)
    yield con
    con.close()


def cut(**values):
    return reads.CoverageFilter(as_of=JUNE, **values)


def test_key_figures_in_khmer_with_suppression(tiny):
    # Phnom Penh: covered 13, estimate 1,000, registered 15, not covered 2 (below 10);
    # rate 13 / 1,000, registration 15 / 1,000, gap 987. Record keys 0: not perturbed.
    content = brief.build(tiny, cut(), "12", "km", 10, provinces=None)
    assert content.area == PHNOM_PENH_KM
    assert [value for _, value in brief.kpis(content)] == [
        "១,៣%", "១៣", "១.០០០", "១,៥%", "◼ <១០", "៩៨៧",
    ]  # fmt: skip
    assert "១" in brief.rank_text(content)  # ranked first: the only rate above 0


def test_a_province_with_no_registrations_shows_true_zeros_and_its_rank(tiny):
    content = brief.build(tiny, cut(), "02", "en", 10, provinces=None)
    figures = dict(brief.kpis(content))
    assert figures["Coverage rate"] == "0.0%"  # 0 covered of 100 estimated
    assert figures["Covered persons"] == "0"
    assert figures["Coverage gap (est.)"] == "100"
    # Phnom Penh leads with 1.3%; the 24 other provinces show 0.0% and share rank 2
    assert brief.rank_text(content) == "Battambang ranks 2 of 25 provinces by coverage rate."


def test_trend_is_each_month_of_the_page_tables(tiny):
    content = brief.build(tiny, cut(), "KH", "en", 10, provinces=None)
    assert content.trend["month_end"].dt.date.tolist()[-2:] == [dt.date(2024, 5, 31), JUNE]
    assert len(content.trend) == brief.TREND_MONTHS
    assert content.trend["target_rate"].isna().all()
    assert not brief.has_targets(content)


def test_breakdowns_never_show_a_small_count(tiny):
    content = brief.build(tiny, cut(), "12", "en", 10, provinces=None)
    for frame in (content.by_occupation, content.by_service):
        shown = frame["covered_count"].dropna()
        assert not shown.between(1, 9).any()
    # market vendors: person 17 alone is covered -> hidden; tuk-tuk drivers 1-10, 12, 13
    assert pd.isna(content.by_occupation.loc["market_vendor", "covered_count"])
    assert content.by_occupation.loc["tuk_tuk_driver", "covered_count"] == 12
    # service A alone covers 1-10, 12 and 17 in Phnom Penh on 30 June
    assert content.by_service.loc["A", "informal_workers_est"] == 1000


def test_unknown_province_is_refused(tiny):
    with pytest.raises(reads.InvalidFilter, match="unknown province"):
        brief.build(tiny, cut(), "99", "en", 10, provinces=None)


def test_powerpoint_has_its_slides_texts_and_khmer_font(tiny):
    content = brief.build(tiny, cut(), None, "km", 10, provinces=None)
    deck = pptx.Presentation(io.BytesIO(brief_files.document(content, "pptx")))
    assert len(deck.slides) == brief_pptx.SLIDES == 8
    texts = [
        shape.text_frame.text.replace(ZWSP, "") for slide in deck.slides for shape in slide.shapes
        if shape.has_text_frame
    ]  # fmt: skip
    assert texts[0] == f"{KHMER_TITLE}៖ កម្ពុជា"
    assert any(NO_TARGETS_KM in t for t in texts)
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    # map, ranking, trend, and a gap chart where any gap of the breakdown can be shown
    with_gaps = [
        bool(brief.gap_rows(f, content)) for f in (content.by_occupation, content.by_service)
    ]
    assert len(pictures) == 3 + sum(with_gaps)
    xml = deck.slides[0].shapes[0]._element.xml
    assert re.search(r'<a:cs typeface="Khmer OS System"', xml)


def pdf_text(path) -> str:
    """The PDF's text layer (poppler, reading order), without whitespace."""
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", raw.stdout.decode())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_khmer_pdf_text_layer_and_embedded_font(demo_store_file, tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_DB", str(demo_store_file))
    out = tmp_path / "brief_km.pdf"
    argv = ["brief", "--province", "12", "--lang", "km", "--format", "pdf", "--out", str(out)]
    assert cli.main(argv) == 0
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 4
    text = pdf_text(out)
    for wanted in (KHMER_TITLE, PHNOM_PENH_KM, NO_TARGETS_KM, DEFINITIONS_KM, "ខែតុលា"):
        assert wanted in text, wanted
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    khmer = [line for line in fonts.stdout.splitlines() if "KhmerOS" in line]
    assert khmer
    assert all(line.split()[-5] == "yes" for line in khmer)  # emb column
    page = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(out), str(page)], check=True)  # fmt: skip
    shutil.copy(page.with_suffix(".png"), SCREENSHOTS / "brief_km.png")


def test_command_line_writes_a_national_powerpoint(tiny_store, tmp_path):
    out = tmp_path / "nested" / "brief.pptx"
    argv = ["brief", "--national", "--as-of", "2024-06-15", "--format", "pptx", "--out", str(out)]
    assert cli.main(argv) == 0
    deck = pptx.Presentation(out)
    assert deck.slides[0].shapes[0].text_frame.text.endswith(": Cambodia")
    assert cli.main(["brief", "--province", "99", "--out", str(out)]) == 1
