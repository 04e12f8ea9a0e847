"""The commitment letter: seed wording, filled parties, and a PDF that opens and reads back."""

from __future__ import annotations

import io
import os
import re
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from entryfiling.domain import commitment_letter as letter
from entryfiling.domain.commitment_letter import AGREEMENT_TEXT, LetterParties, letter_paragraphs
from entryfiling.integrations import pdf
from entryfiling.integrations.pdf import render_commitment_letter, resolve_cjk_font

WQY_ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

# The six commitments exactly as the operations manual prints them (ASCII punctuation and all).
SEED_COMMITMENTS = [
    "自觉遵守各项建筑市场管理的法律、法规和有关规定,并接受项目所在地建设行政主管部门的监管;",
    "对要求提供的各项资料和填报的信息绝不弄虚作假,并对其真实性负责;",
    "不得以任何理由拖欠农民工工资,不以讨要农民工工资为由讨要工程款或引发群体性事件;",
    "在签订合同后,按规定组建项目现场管理机构,且项目负责人和现场管理人员与进疆信息登记人员一致确保到位在岗履职;",
    "加强安全质量管理,不发生安全生产死亡事故或重大工程质量事故;",
    "妥善保管“省外进疆建设工程企业信息报送管理系统”的登录密钥,凡凭密钥申请的相关业务、填报的相关信息均为"
    "公司的行为,我均予以承认,以上承诺,如有违反,自愿承担相应的法律责任,并接受相应行政处罚和限制市场准入的"
    "处理。",
]
SEED_OPENING = "本公司法定代表人 (身份证号:) 及驻疆负责人 (身份证号:) 在此郑重承诺:"


def _full_width(text: str) -> str:
    """The only change the letter may make to the seed: ASCII punctuation to full width."""
    return text.translate(str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}))


def _squash(text: str) -> str:
    """Extracted PDF text without the line breaks and spaces wrapping introduces."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def parties() -> LetterParties:
    return LetterParties(
        enterprise_name="浙江某某建设集团有限公司",
        uscc="91330000MA2A0XXXX1",
        legal_representative_name="张建国",
        legal_representative_id_number="11010519750109002X",
        responsible_person_name="李新疆",
        responsible_person_id_number="650102198512120017",
        business_label="首次信息报送",
        filing_reference="F-2025-000123",
        issued_on=date(2025, 3, 6),
    )


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


# --- the letter as data ------------------------------------------------------------------------


def test_commitments_are_the_seed_wording() -> None:
    assert list(letter.COMMITMENTS) == [_full_width(line) for line in SEED_COMMITMENTS]


def test_opening_template_is_the_seed_sentence_with_placeholders() -> None:
    blanked = re.sub(r"\{[a-z_]+\}", "", letter.OPENING_TEMPLATE)
    assert blanked == _full_width(SEED_OPENING).replace(" ", "")


def test_title_heading_and_agreement_text() -> None:
    assert letter.TITLE == "企业诚信守法承诺书"
    assert letter.DECLARATION_HEADING == "郑重声明："
    assert AGREEMENT_TEXT == "我已阅读并同意《企业诚信守法承诺书》所有条款内容"


def test_paragraphs_are_filled_with_names_and_full_id_numbers(parties: LetterParties) -> None:
    paragraphs = letter_paragraphs(parties)

    assert paragraphs[0] == "郑重声明："
    assert paragraphs[1] == (
        "本公司法定代表人张建国（身份证号：11010519750109002X）"
        "及驻疆负责人李新疆（身份证号：650102198512120017）在此郑重承诺："
    )
    assert paragraphs[2:] == [
        f"{numeral}、{text}" for numeral, text in zip("一二三四五六", letter.COMMITMENTS, strict=True)
    ]


def test_missing_people_render_as_blanks_to_fill_by_hand(parties: LetterParties) -> None:
    draft = replace(
        parties,
        legal_representative_name="",
        legal_representative_id_number="  ",
        responsible_person_name="",
        responsible_person_id_number="",
    )
    opening = letter_paragraphs(draft)[1]

    assert opening == (
        f"本公司法定代表人{letter.NAME_BLANK}（身份证号：{letter.ID_NUMBER_BLANK}）"
        f"及驻疆负责人{letter.NAME_BLANK}（身份证号：{letter.ID_NUMBER_BLANK}）在此郑重承诺："
    )
    assert set(letter.NAME_BLANK) == {"_"} and set(letter.ID_NUMBER_BLANK) == {"_"}


def test_signature_block_leaves_signatures_blank_and_dates_in_chinese(parties: LetterParties) -> None:
    assert letter.signature_lines(parties) == [
        ("承诺企业（盖章）：", "浙江某某建设集团有限公司"),
        ("法定代表人（签字）：", ""),
        ("驻疆负责人（签字）：", ""),
        ("日期：", "2025年3月6日"),
    ]


# --- the PDF -----------------------------------------------------------------------------------


def _assert_letter_text(text: str, parties: LetterParties) -> None:
    flat = _squash(text)
    for expected in (
        "企业诚信守法承诺书",
        "郑重声明：",
        parties.legal_representative_name,
        parties.legal_representative_id_number,
        parties.responsible_person_name,
        parties.responsible_person_id_number,
        parties.enterprise_name,
        parties.uscc,
        parties.filing_reference,
        "法定代表人（签字）",
        "承诺企业（盖章）",
        "2025年3月6日",
    ):
        assert expected in flat, expected
    for commitment in letter.COMMITMENTS:
        assert _squash(commitment) in flat, commitment


def test_pdf_with_builtin_cid_font_opens_and_reads_back(parties: LetterParties) -> None:
    data = render_commitment_letter(parties, font_candidates=[])

    assert data.startswith(b"%PDF-")
    reader, text = _pdf_text(data)
    assert len(reader.pages) == 1
    _assert_letter_text(text, parties)
    assert b"STSong-Light" in data


@pytest.mark.skipif(not os.path.isfile(WQY_ZENHEI), reason="fonts-wqy-zenhei is not installed")
def test_pdf_with_truetype_font_embeds_it_and_reads_back(parties: LetterParties) -> None:
    font = resolve_cjk_font([WQY_ZENHEI])
    assert font.embedded and font.path == WQY_ZENHEI

    data = render_commitment_letter(parties, font_candidates=[WQY_ZENHEI])

    reader, text = _pdf_text(data)
    assert len(reader.pages) == 1
    _assert_letter_text(text, parties)
    assert b"/FontFile2" in data  # embedded, so phones without Chinese fonts render it
    assert b"STSong-Light" not in data


def test_unusable_font_files_fall_back_to_cid(tmp_path, parties: LetterParties) -> None:
    broken = tmp_path / "half-installed.ttc"
    broken.write_bytes(b"\x00\x01\x00\x00truncated")

    assert resolve_cjk_font([tmp_path / "missing.ttf", broken]).name == pdf.CID_FALLBACK_FONT
    _, text = _pdf_text(render_commitment_letter(parties, font_candidates=[broken]))
    assert "企业诚信守法承诺书" in _squash(text)


def test_pdf_is_a4_with_metadata(parties: LetterParties) -> None:
    reader, _ = _pdf_text(render_commitment_letter(parties, font_candidates=[]))

    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader.metadata is not None
    assert reader.metadata.title == "企业诚信守法承诺书"
    assert reader.metadata.author == parties.enterprise_name


def test_draft_letter_with_missing_values_and_markup_characters_still_renders(
    parties: LetterParties,
) -> None:
    draft = replace(
        parties,
        enterprise_name="某某工程 & <咨询> 有限公司",
        legal_representative_name="",
        legal_representative_id_number="",
        responsible_person_name="",
        responsible_person_id_number="",
        uscc="",
    )

    reader, text = _pdf_text(render_commitment_letter(draft, font_candidates=[]))

    flat = _squash(text)
    assert "某某工程&<咨询>有限公司" in flat
    assert letter.ID_NUMBER_BLANK in flat
    assert len(reader.pages) == 1


def test_no_line_starts_with_chinese_punctuation(parties: LetterParties) -> None:
    _, text = _pdf_text(render_commitment_letter(parties, font_candidates=[]))

    starts = [line.strip()[:1] for line in text.splitlines() if line.strip()]
    assert not [s for s in starts if s in "，。、；：！？）"]
