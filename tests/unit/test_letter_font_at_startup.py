"""The letter's font is a deployment dependency: checked when the app starts, never found by luck."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from entryfiling.app import create_app
from entryfiling.integrations import pdf
from entryfiling.ops.startup import StartupRefused, check_letter_font
from tests.unit.test_commitment_letter import WQY_ZENHEI, parties  # noqa: F401  (fixture)


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ())
    yield
    pdf.prefer_font(None)


def test_production_refuses_to_start_without_a_truetype_cjk_font(settings, no_system_fonts):
    with pytest.raises(StartupRefused, match="TrueType 中文字体"):
        create_app(settings, environment="production")


def test_development_starts_with_a_warning(settings, no_system_fonts, caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app(settings)
    app.extensions["entryfiling"].dispose()
    assert any(r.getMessage() == "letter font missing" for r in caplog.records)


@pytest.mark.skipif(not Path(WQY_ZENHEI).is_file(), reason="fonts-wqy-zenhei is not installed")
def test_letter_font_setting_is_used_first(settings, no_system_fonts, tmp_path):
    own = tmp_path / "fonts" / "own-cjk.ttc"
    own.parent.mkdir()
    shutil.copy(WQY_ZENHEI, own)
    assert check_letter_font(settings.with_overrides(letter_font=own, environment="production")) == str(own)


@pytest.mark.skipif(not Path(WQY_ZENHEI).is_file(), reason="fonts-wqy-zenhei is not installed")
def test_filled_values_carry_no_padding_the_fallback_cannot_map(parties):  # noqa: F811
    for candidates in ([], [WQY_ZENHEI]):
        data = pdf.render_commitment_letter(parties, font_candidates=candidates)
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "\xa0" not in text
        assert parties.responsible_person_id_number in text.replace(" ", "").replace("\n", "")
