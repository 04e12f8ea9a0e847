"""Free-text answers as clerks type them, and what each must become (or which question it must get back).

Each entry: (section, field, what was typed, the stored value, or ``None`` with a fragment of the question
that must come back instead). The same corpus drives the domain parser, section saves, step-by-step
answers and the conversation, so all paths understand a clerk alike.
"""

from __future__ import annotations

AMOUNTS = [
    ("5000", "5000.00"),
    ("5000万", "5000.00"),
    ("5000万元", "5000.00"),
    ("人民币5000万元", "5000.00"),
    ("人民币 5000 万元整", "5000.00"),
    ("五千万", "5000.00"),
    ("五千万元", "5000.00"),
    ("伍仟万元", "5000.00"),
    ("伍仟万元整", "5000.00"),
    ("3500万元", "3500.00"),
    ("3,500万元", "3500.00"),
    ("1.2亿", "12000.00"),
    ("1.2亿元", "12000.00"),
    ("一亿二千万", "12000.00"),
    ("壹亿贰仟万元", "12000.00"),
    ("50000000元", "5000.00"),
    ("￥5000万", "5000.00"),
    ("RMB5000万", "5000.00"),
    ("5千万", "5000.00"),
    ("两千万元", "2000.00"),
    ("0.5亿", "5000.00"),
    ("８０００万元", "8000.00"),
    ("五千", "5000.00"),
    ("-100", None, "负数"),
    ("很多", None, "5000万元"),
    ("12345元", None, "两位小数"),
]

DATES = [
    ("2003-06-01", "2003-06-01"),
    ("2003-6-1", "2003-06-01"),
    ("2003/6/1", "2003-06-01"),
    ("2003/06/01", "2003-06-01"),
    ("2003.6.1", "2003-06-01"),
    ("2003年6月1日", "2003-06-01"),
    ("2003年6月1号", "2003-06-01"),
    ("2003 年 6 月 1 日", "2003-06-01"),
    ("二〇〇三年六月一日", "2003-06-01"),
    ("二零零三年六月一日", "2003-06-01"),
    ("2003年六月一日", "2003-06-01"),
    ("二〇〇三年十二月三十一日", "2003-12-31"),
    ("20030601", "2003-06-01"),
    ("２００３年６月１日", "2003-06-01"),
    ("2003年6月", None, "哪一天"),
    ("二〇〇三年六月", None, "哪一天"),
    ("2003年", None, "几月几日"),
    ("2003年2月30日", None, "不是有效的日期"),
    ("六月一日", None, "年月日"),
    ("去年", None, "年月日"),
]

PROVINCES = [
    ("安徽", "安徽省"),
    ("安徽省", "安徽省"),
    ("浙江", "浙江省"),
    ("广西", "广西壮族自治区"),
    ("12", "安徽省"),
    ("火星", None, "安徽省"),
]

TITLES = [
    ("高级工程师", "senior"),
    ("2", "senior"),
    ("工程师", "intermediate"),
    ("正高级工程师", "senior_professor"),
    ("教授", None, "高级工程师"),
]

PHONES = [
    ("139 1234 5678", "13912345678"),
    ("+86 139-1234-5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),
    ("1391234567", None, "手机号"),
]

PERSONS = [
    ("张建国", "张建国"),
    ("王芳", None, "2 位"),
    ("李四", None, "没有找到"),
]

YES_NO = [
    ("是", True),
    ("对", True),
    ("好的", True),
    ("有", True),
    ("没有了", False),
    ("没有", False),
    ("不用", False),
    ("也许", None),
]


def _expand(section: str, field: str, entries: list[tuple]) -> list[tuple]:
    out = []
    for entry in entries:
        said, stored, *question = entry
        out.append((section, field, said, stored, question[0] if question else None))
    return out


# (section, field, said, stored or None, question fragment when refused)
SECTION_ANSWERS = [
    *_expand("basic_info", "registered_capital", AMOUNTS),
    *_expand("basic_info", "established_on", DATES),
    *_expand("basic_info", "registered_province", PROVINCES),
    *_expand("technical_person", "professional_title", TITLES),
    *_expand("technical_person", "mobile", PHONES),
]

# A number picks the option shown with it in a question; a section save names options, not numbers.
ANSWER_ONLY = {("registered_province", "12"), ("professional_title", "2")}
