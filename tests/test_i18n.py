"""Translations: one file per language, no key missing in either, formats in Khmer digits."""

import datetime as dt
import re
import string

import pytest

import i18n
import settings

KEY_USE = re.compile(r"""i18n\.t\(\s*f?["']([a-z_]+\.[A-Za-z0-9_.{}]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_every_language():
    english = set(i18n.strings("en"))
    for lang in i18n.LANGUAGES:
        keys = set(i18n.strings(lang))
        assert keys == english, f"{lang}: missing {english - keys}, extra {keys - english}"
        assert all(value.strip() for value in i18n.strings(lang).values())


def test_translations_keep_their_placeholders():
    for key, text in i18n.strings("en").items():
        assert placeholders(i18n.strings("km")[key]) == placeholders(text), key


def test_khmer_strings_are_khmer():
    # every translated UI string except format patterns and file-type names holds Khmer script
    khmer = re.compile("[\u1780-\u17ff]")
    skip = ("format.", "download.png", "download.svg", "download.pdf", "download.csv")
    latin_only = [
        key for key, text in i18n.strings("km").items()
        if not key.startswith(skip) and key not in {"download.xlsx", "app.language"}
        and not khmer.search(text)
    ]  # fmt: skip
    assert latin_only == []


def test_every_key_used_in_the_code_exists():
    used = set()
    for path in (settings.REPO_ROOT / "dashboard").rglob("*.py"):
        found = KEY_USE.findall(path.read_text())
        used |= {key for key in found if "{" not in key and not key.endswith(".")}  # not built
    assert len(used) > 60
    assert used - set(i18n.strings("en")) == set()


def test_numbers_percentages_and_dates_in_khmer():
    assert i18n.number(12345, "km") == "១២.៣៤៥"
    assert i18n.number(12345, "en") == "12,345"
    assert i18n.percent(0.125, "km") == "១២,៥%"
    assert i18n.percent(0.125, "en") == "12.5%"
    assert i18n.date_text(dt.date(2024, 6, 30), "km") == "ថ្ងៃទី៣០ ខែមិថុនា ឆ្នាំ២០២៤"
    assert i18n.date_text(dt.date(2024, 6, 30), "en") == "30 June 2024"
    assert i18n.month_year(dt.date(2026, 11, 1), "km") == "ខែវិច្ឆិកា ឆ្នាំ២០២៦"
    assert i18n.digits("25-34", "km") == "២៥-៣៤"


def test_unknown_language_is_refused():
    with pytest.raises(KeyError, match="unknown language"):
        i18n.t("app.title", "fr")
