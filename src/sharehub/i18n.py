"""The language a person reads the hub in, and gettext for every string they read.

Pages, letters (the consent receipt) and e-mails take their words from here,
so a Welsh catalogue (``web/translations/cy``) changes them all without
touching a template or a service. The language is set per request
(``web/templating.language_per_request``); English is the source language.
Free of web types, so services may use it.
"""

from __future__ import annotations

import contextvars
import gettext as gettext_module
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).parent / "web" / "translations"
DEFAULT_LANGUAGE = "en-GB"
# Languages with a catalogue; English is the source language and needs none.
LANGUAGES = {"en-GB": None, "cy": "cy"}

_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "language", default=DEFAULT_LANGUAGE
)


@lru_cache(maxsize=8)
def translations_for(language: str) -> gettext_module.NullTranslations:
    catalogue = LANGUAGES.get(language)
    if catalogue is None or not (TRANSLATIONS / catalogue).is_dir():
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [catalogue], domain="messages")


def set_language(language: str) -> contextvars.Token[str]:
    return _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


def _(message: str) -> str:
    """Translate now, into the request's language (also for Python-side strings)."""
    return translations_for(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural by ``n``, with ``%(num)d`` filled in (as Jinja's own does)."""
    return translations_for(_language.get()).ngettext(singular, plural, n) % {"num": n}


# Babel's locale for each language: dates and month names in the reader's language.
LOCALES = {"en-GB": "en_GB", "cy": "cy_GB"}


def day_month_year(value: date) -> str:
    """ "2 December 2026" (or "2 Rhagfyr 2026" in Welsh)."""
    return format_date(value, "d MMMM y", locale=LOCALES.get(_language.get(), "en_GB"))


def day_short_month_year(value: date) -> str:
    return format_date(value, "d MMM y", locale=LOCALES.get(_language.get(), "en_GB"))
