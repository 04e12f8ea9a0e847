"""The 企业诚信守法承诺书 (commitment letter) as data.

Every submission shows this letter, asks the user to tick :data:`AGREEMENT_TEXT`, and offers it as
a pre-filled PDF to sign and stamp. The wording is taken verbatim from the operations manual (only
ASCII punctuation is normalised to full-width Chinese punctuation) and kept here, in one place, so
the screen text, the API text and the PDF can never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

TITLE = "企业诚信守法承诺书"

DECLARATION_HEADING = "郑重声明："

#: Filled with the legal representative's and the Xinjiang responsible person's names and full
#: ID numbers (the PDF is signed by hand, so the numbers are not masked there).
OPENING_TEMPLATE = (
    "本公司法定代表人{legal_representative_name}（身份证号：{legal_representative_id_number}）"
    "及驻疆负责人{responsible_person_name}（身份证号：{responsible_person_id_number}）在此郑重承诺："
)

#: The six commitments, in the manual's order and wording.
COMMITMENTS: tuple[str, ...] = (
    "自觉遵守各项建筑市场管理的法律、法规和有关规定，并接受项目所在地建设行政主管部门的监管；",
    "对要求提供的各项资料和填报的信息绝不弄虚作假，并对其真实性负责；",
    "不得以任何理由拖欠农民工工资，不以讨要农民工工资为由讨要工程款或引发群体性事件；",
    "在签订合同后，按规定组建项目现场管理机构，且项目负责人和现场管理人员与进疆信息登记人员一致确保到位在岗履职；",
    "加强安全质量管理，不发生安全生产死亡事故或重大工程质量事故；",
    "妥善保管“省外进疆建设工程企业信息报送管理系统”的登录密钥，凡凭密钥申请的相关业务、填报的相关"
    "信息均为公司的行为，我均予以承认，以上承诺，如有违反，自愿承担相应的法律责任，并接受相应行政处罚"
    "和限制市场准入的处理。",
)

#: What the user ticks before downloading the letter and submitting.
AGREEMENT_TEXT = "我已阅读并同意《企业诚信守法承诺书》所有条款内容"

_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

#: Printed where a value is still missing so the letter can be completed by hand.
NAME_BLANK = "_" * 10
ID_NUMBER_BLANK = "_" * 20
TEXT_BLANK = "_" * 24

SIGNATURE_ENTERPRISE_LABEL = "承诺企业（盖章）："
SIGNATURE_LEGAL_REPRESENTATIVE_LABEL = "法定代表人（签字）："
SIGNATURE_RESPONSIBLE_PERSON_LABEL = "驻疆负责人（签字）："
SIGNATURE_DATE_LABEL = "日期："


@dataclass(frozen=True)
class LetterParties:
    """Who the letter binds and which filing it belongs to."""

    enterprise_name: str
    uscc: str
    legal_representative_name: str
    legal_representative_id_number: str
    responsible_person_name: str
    responsible_person_id_number: str
    business_label: str  # e.g. "首次信息报送"
    filing_reference: str  # e.g. the filing id
    issued_on: date


def _value(value: str | None, blank: str) -> str:
    """A filled-in value, or a handwriting blank while the draft is incomplete."""
    text = (value or "").strip()
    return text if text else blank


def format_date(day: date) -> str:
    """Chinese long date as printed on official documents (2025年1月2日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def numbered(index: int, text: str) -> str:
    """Number a commitment the way Chinese official documents do (一、二、…)."""
    label = _NUMERALS[index] if index < len(_NUMERALS) else str(index + 1)
    return f"{label}、{text}"


def opening_sentence(parties: LetterParties, mark: Callable[[str], str] | None = None) -> str:
    """The opening sentence with names and full ID numbers.

    ``mark`` wraps each inserted value (the PDF underlines them); the default leaves them plain.
    """
    wrap = mark or (lambda text: text)
    return OPENING_TEMPLATE.format(
        legal_representative_name=wrap(_value(parties.legal_representative_name, NAME_BLANK)),
        legal_representative_id_number=wrap(_value(parties.legal_representative_id_number, ID_NUMBER_BLANK)),
        responsible_person_name=wrap(_value(parties.responsible_person_name, NAME_BLANK)),
        responsible_person_id_number=wrap(_value(parties.responsible_person_id_number, ID_NUMBER_BLANK)),
    )


def letter_paragraphs(parties: LetterParties) -> list[str]:
    """The filled-in letter body (without the title), one string per paragraph.

    Heading, opening sentence, then the six numbered commitments. ID numbers are in full: this text
    goes into the PDF to be signed, not onto a screen (screens mask them).
    """
    return [
        DECLARATION_HEADING,
        opening_sentence(parties),
        *(numbered(i, text) for i, text in enumerate(COMMITMENTS)),
    ]


def signature_lines(parties: LetterParties) -> list[tuple[str, str]]:
    """(label, value) pairs of the signature/stamp block; signatures are left blank for the pen."""
    return [
        (SIGNATURE_ENTERPRISE_LABEL, _value(parties.enterprise_name, TEXT_BLANK)),
        (SIGNATURE_LEGAL_REPRESENTATIVE_LABEL, ""),
        (SIGNATURE_RESPONSIBLE_PERSON_LABEL, ""),
        (SIGNATURE_DATE_LABEL, format_date(parties.issued_on)),
    ]


def footer_fields(parties: LetterParties) -> list[tuple[str, str]]:
    """(label, value) pairs printed at the foot of each page, tying the paper to its filing."""
    return [
        ("企业名称", _value(parties.enterprise_name, TEXT_BLANK)),
        ("统一社会信用代码", _value(parties.uscc, ID_NUMBER_BLANK)),
        ("报送业务", _value(parties.business_label, NAME_BLANK)),
        ("报送编号", _value(parties.filing_reference, NAME_BLANK)),
    ]
