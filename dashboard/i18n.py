"""UI strings by language: data/i18n/<lang>.json, one file per language, flat keys."""

import functools
import json

import settings

LANGUAGES = {"en": "English", "km": "ខ្មែរ"}
DEFAULT = "en"


@functools.cache
def strings(lang: str) -> dict[str, str]:
    """Every string of one language."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}")
    path = settings.DATA_DIR / "i18n" / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def t(key: str, lang: str = DEFAULT, **values: object) -> str:
    """The string for `key` in `lang`, formatted with `values`; English if missing."""
    text = strings(lang).get(key) or strings(DEFAULT)[key]
    return text.format(**values) if values else text
