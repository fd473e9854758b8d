"""Pages: Jinja templates with GOV.UK Frontend's macros, every string through gettext.

Templates live in ``web/templates`` (a folder per domain, ``layout.html`` and
``components/`` shared). GOV.UK Frontend's macros come from the
``govuk-frontend-jinja`` package. Autoescaping is on everywhere; the gate's
``GatedText`` is a ``str``, so it is escaped like any other text.

Every string a person reads goes through gettext (``{{ _("...") }}`` or
``{% trans %}``), so a Welsh catalogue can be added under ``web/translations``
without touching a template. The language is chosen per request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from sharehub.i18n import (  # noqa: F401 - the language API pages use
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TRANSLATIONS,
    _,
    _language,
    current_language,
    ngettext,
    set_language,
    translations_for,
)
from sharehub.web import labels

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["label"] = labels.label
    env.globals["options"] = labels.options
    env.globals["select_items"] = labels.select_items
    env.filters["date"] = labels.long_date
    env.filters["datetime"] = labels.long_datetime
    env.filters["short_date"] = labels.short_date
    env.filters["harm_choice"] = labels.harm_choice
    env.filters["sentence"] = labels.sentence
    env.filters["extract"] = labels.extract
    env.filters["radio_item"] = labels.radio_item
    env.filters["select_item"] = labels.select_item
    env.filters["report_link"] = labels.report_link
    env.filters["filesize"] = labels.file_size
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(build_environment()))


def available_languages() -> list[str]:
    """English, and each language with a compiled catalogue under web/translations."""
    return [
        code
        for code, catalogue in LANGUAGES.items()
        if catalogue is None or (TRANSLATIONS / catalogue / "LC_MESSAGES" / "messages.mo").is_file()
    ]


def choose_language(accept_language: str | None) -> str:
    """The first language the browser asks for that the hub has; else English."""
    have = available_languages()
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip()
        for language in have:
            if code and (
                code.lower() == language.lower()
                or code.split("-")[0].lower() == language.split("-")[0].lower()
            ):
                return language
    return DEFAULT_LANGUAGE


def language_per_request(app: Any) -> Any:
    """Middleware: the request's language, for gettext and ``<html lang>``."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        header = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"accept-language"),
            None,
        )
        token = set_language(choose_language(header))
        try:
            await app(scope, receive, send)
        finally:
            _language.reset(token)

    return middleware
