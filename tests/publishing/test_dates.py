"""Dates on pages in the page's language (Babel's CLDR data), digits as the site chose."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from bs4 import BeautifulSoup

from tests.factories import settings
from translator_pipeline.errors import ConfigError
from translator_pipeline.models import Article, TranslatedArticle
from translator_pipeline.publishing.render import (
    DIGIT_ZERO,
    display_date,
    render_fingerprint,
    render_variant,
)


@pytest.mark.parametrize(
    ("language", "digits", "shown"),
    [
        ("fr", "locale", "22 novembre 2026"),
        ("en", "locale", "November 22, 2026"),
        ("ar", "latn", "22 نوفمبر 2026"),
        ("ar", "arab", "٢٢ نوفمبر ٢٠٢٦"),
        ("ar", "locale", "22 نوفمبر 2026"),  # CLDR's "ar" writes Latin digits
        ("ar-EG", "locale", "٢٢ نوفمبر ٢٠٢٦"),  # "ar-EG" Arabic-Indic ones
        ("ar-EG", "latn", "22 نوفمبر 2026"),
        ("ar", "arabext", "۲۲ نوفمبر ۲۰۲۶"),
        ("fa", "locale", "۲۲ نوامبر ۲۰۲۶"),
        ("fr", "arab", "22 novembre 2026"),  # Arabic digits only for Arabic script
        ("de", "locale", "22. November 2026"),
        ("pt-BR", "locale", "22 de novembro de 2026"),
        ("sw", "locale", "22 Novemba 2026"),
        ("zh-Hant", "locale", "2026年11月22日"),
    ],
)
def test_a_day_in_any_language_and_digits(language, digits, shown):
    assert display_date("2026-11-22", language, digits) == shown


def test_year_month_year_and_midnight_dates():
    assert display_date("2026-11", "fr") == "novembre 2026"
    assert display_date("2026-11", "ar", "arab") == "نوفمبر ٢٠٢٦"
    assert display_date("2026", "en") == "2026"
    # CMSs write midnight for "no time": only the day is shown.
    assert display_date("2026-11-22T00:00:00Z", "fr") == "22 novembre 2026"


def test_a_time_is_shown_as_the_original_gives_it():
    assert display_date("2026-11-22T18:45:00+01:00", "fr") == "22 novembre 2026, 18:45"
    # CLDR puts a narrow no-break space before PM.
    assert display_date("2026-11-22T18:45:00+01:00", "en") == "November 22, 2026, 6:45\u202fPM"
    shown = display_date("2026-11-22T18:45:00Z", "ar", "arab")
    assert shown.startswith("٢٢ نوفمبر ٢٠٢٦") and "٦:٤٥" in shown


def test_unknown_languages_and_odd_values_never_fail():
    assert display_date("2026-11-22", "xx") == "2026-11-22"
    assert display_date("2026-11-22T18:45:00Z", "qaa") == "2026-11-22 18:45"
    assert display_date("2026-11-22", "") == "2026-11-22"
    assert display_date("2026-02-30", "fr") == "2026-02-30"  # no such day: as written
    assert display_date("sometime", "fr") == "sometime"
    assert display_date(None, "fr") is None
    assert display_date("  ", "fr") is None


def test_every_numbering_system_starts_at_its_zero():
    for system, zero in DIGIT_ZERO.items():
        assert unicodedata.digit(chr(zero)) == 0, system
        assert unicodedata.digit(chr(zero + 9)) == 9, system


ARTICLE = Article(
    url="https://news.example.org/en/forum.html",
    source="s",
    title="Forum",
    body_html="<div><p>x</p></div>",
    blocks=(),
    published="2026-11-22",
    language="en",
)


def page(lang: str, **extra) -> BeautifulSoup:
    translated = TranslatedArticle(
        article_url=ARTICLE.url,
        language=lang,
        source_language="en",
        title="Titre",
        body_html="<div><p>Corps</p></div>",
        signature="engine=test|model=m|version=1",
        pseudo=False,
    )
    article = replace(ARTICLE, published=extra.pop("published", ARTICLE.published))
    variant = render_variant(article, translated, "forum", ["fr", "ar"], settings(**extra))
    return BeautifulSoup(variant.page_html, "html.parser")


def test_the_page_shows_the_date_in_its_language_and_keeps_the_iso_value():
    time = page("fr").select_one("article time")
    assert time["datetime"] == "2026-11-22"
    assert time.get_text() == "22 novembre 2026"
    # Written for the page, not machine-translated: the plain language label.
    assert time.parent["lang"] == "fr"
    arabic = page("ar", publish={"date_digits": "arab"}).select_one("article time")
    assert arabic.get_text() == "٢٢ نوفمبر ٢٠٢٦" and arabic["datetime"] == "2026-11-22"
    assert page("ar").select_one("article time").get_text() == "22 نوفمبر 2026"
    assert page("fr", published=None).select_one("article time") is None


def test_date_digits_is_validated_and_changes_the_render_fingerprint():
    assert settings().publish.date_digits == "locale"
    with pytest.raises(Exception) as caught:
        settings(publish={"date_digits": "roman"})
    assert "date_digits" in str(caught.value)
    assert render_fingerprint(settings(publish={"date_digits": "arab"})) != render_fingerprint(
        settings()
    )


def test_date_digits_from_a_config_file_and_the_environment(tmp_path):
    from translator_pipeline.config.settings import load_settings

    config = tmp_path / "site.toml"
    config.write_text(
        '[publish]\ndate_digits = "arab"\n'
        '[[sources]]\nname = "s"\nstart_urls = ["https://news.example.org/"]\n',
        encoding="utf-8",
    )
    assert load_settings(config, env={}).publish.date_digits == "arab"
    env = {"TP_PUBLISH__DATE_DIGITS": "latn"}
    assert load_settings(config, env=env).publish.date_digits == "latn"
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={"TP_PUBLISH__DATE_DIGITS": "hindi"})
    assert "TP_PUBLISH__DATE_DIGITS" in str(caught.value)
    assert "'locale', 'latn', 'arab' or 'arabext'" in str(caught.value)
