"""The commitment letter (企业诚信守法承诺书) as a printable, signable A4 PDF.

The enterprise downloads it, has the legal representative sign it, stamps it and uploads the scan,
so it must look like an official letter and open anywhere, phones included. A TrueType CJK font is
embedded (subset) when one is installed, because the non-embedded Adobe CID font
(``STSong-Light``) that reportlab ships only renders where the viewer has Chinese fonts of its own;
that CID font stays as the fallback so the letter can always be produced. The text stays
extractable, which lets automatic approval and tests read the letter back.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from reportlab.lib import colors
from reportlab.lib import textsplit as _rl_textsplit
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _rl_paragraph

from entryfiling.domain.commitment_letter import (
    COMMITMENTS,
    DECLARATION_HEADING,
    TITLE,
    LetterParties,
    footer_fields,
    numbered,
    opening_sentence,
    signature_lines,
)

#: TrueType CJK fonts looked for, in order of preference (Song/Ming faces first: they are what
#: official Chinese documents use). CFF-based fonts such as Noto CJK ``.otf``/``.ttc`` are
#: deliberately absent: reportlab cannot embed them.
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
)
CID_FALLBACK_FONT = "STSong-Light"
#: Characters a usable font must have; a Latin-only font must not be mistaken for a CJK one.
_PROBE_CHARACTERS = "企业诚信守法承诺书"

#: Chinese punctuation that must not start a line (GB/T 15834 禁则). reportlab's CJK wrapping only
#: knows the Japanese set, so "，" or "；" could open a line; adding them makes reportlab hang the
#: mark in the right margin instead, as Chinese typesetting does.
_CHINESE_CANNOT_START = "，。、；：！？）》」』〉】〕”’·…—"


def _teach_chinese_line_breaking() -> None:
    """Extend reportlab's line-start prohibition (both wrap paths) with Chinese punctuation.

    Idempotent; only CJK-wrapped paragraphs read these tables.
    """
    for module in (_rl_textsplit, _rl_paragraph):
        current: str = module.ALL_CANNOT_START
        module.ALL_CANNOT_START = current + "".join(ch for ch in _CHINESE_CANNOT_START if ch not in current)


_teach_chinese_line_breaking()

PRODUCER = "区外建设工程企业进疆信息报送管理系统"

_MARGIN_X = 26 * mm
_MARGIN_TOP = 25 * mm
_MARGIN_BOTTOM = 28 * mm
_BODY_SIZE = 13
_BODY_LEADING = 24
_TITLE_SIZE = 22
_FOOTER_SIZE = 8.5
_GREY = colors.HexColor("#555555")


@dataclass(frozen=True)
class CJKFont:
    """The font a letter is set in: ``path`` is the embedded TrueType file, ``None`` for CID."""

    name: str
    path: str | None

    @property
    def embedded(self) -> bool:
        return self.path is not None


_lock = threading.Lock()
_resolved: dict[tuple[str, ...], CJKFont] = {}


def _try_truetype(path: str) -> CJKFont | None:
    """Register ``path`` if it is a complete TrueType font with Chinese glyphs, else ``None``."""
    if not os.path.isfile(path):
        return None
    name = "EntryCJK-" + hashlib.sha1(path.encode()).hexdigest()[:10]
    if name in pdfmetrics.getRegisteredFontNames():
        return CJKFont(name=name, path=path)
    try:
        font = TTFont(name, path, subfontIndex=0)
    except Exception:
        # Half-installed package, CFF outlines, corrupt file (reportlab raises assorted errors
        # while parsing): the font is unusable either way, so try the next one.
        return None
    if any(ord(ch) not in font.face.charToGlyph for ch in _PROBE_CHARACTERS):
        return None
    pdfmetrics.registerFont(font)
    return CJKFont(name=name, path=path)


#: The deployment's own font (``LETTER_FONT``), tried before :data:`FONT_CANDIDATES`.
_preferred_font: str | None = None


def prefer_font(path: str | os.PathLike[str] | None) -> None:
    """Try ``path`` first (set once at start-up from ``LETTER_FONT``); ``None`` clears it."""
    global _preferred_font
    _preferred_font = os.fspath(path) if path is not None else None


def resolve_cjk_font(candidates: Sequence[str | os.PathLike[str]] | None = None) -> CJKFont:
    """The first usable TrueType CJK font among ``candidates``, else the built-in CID font.

    Only a TrueType success is cached, so a font installed while the process runs is picked up.
    """
    if candidates is None:
        candidates = (_preferred_font, *FONT_CANDIDATES) if _preferred_font else FONT_CANDIDATES
    paths = tuple(os.fspath(p) for p in candidates)
    with _lock:
        cached = _resolved.get(paths)
        if cached is not None:
            return cached
        for path in paths:
            found = _try_truetype(path)
            if found is not None:
                _resolved[paths] = found
                return found
        if CID_FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK_FONT))
        return CJKFont(name=CID_FALLBACK_FONT, path=None)


class _Title(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """Centred, letter-spaced title; faux bold by stroking, since CJK fonts ship no bold face."""

    def __init__(self, text: str, font_name: str, size: float) -> None:
        super().__init__()
        self.text = text
        self.font_name = font_name
        self.size = size
        self.char_space = size * 0.35

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size * 1.6

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.saveState()
        canvas.setFont(self.font_name, self.size)
        canvas.setLineWidth(self.size * 0.03)
        canvas.drawCentredString(self.width / 2, self.size * 0.35, self.text, mode=2, charSpace=self.char_space)
        canvas.restoreState()


def _styles(font_name: str) -> dict[str, ParagraphStyle]:
    """Body text as in official letters: two-character first-line indent, justified, CJK wrapping."""
    body = ParagraphStyle(
        "body",
        fontName=font_name,
        fontSize=_BODY_SIZE,
        leading=_BODY_LEADING,
        alignment=TA_JUSTIFY,
        firstLineIndent=2 * _BODY_SIZE,
        wordWrap="CJK",
        spaceAfter=2,
    )
    return {
        "body": body,
        "heading": ParagraphStyle("heading", parent=body, firstLineIndent=0, spaceBefore=6),
        "sign": ParagraphStyle("sign", parent=body, firstLineIndent=0, alignment=TA_LEFT, leading=_BODY_SIZE * 1.3),
    }


def _underlined(value: str) -> str:
    """Inserted values are underlined, like the filled-in blanks of a printed form."""
    return f"<u>{escape(value)}</u>"


def _signature_block(parties: LetterParties, styles: dict[str, ParagraphStyle]) -> Table:
    """承诺企业（盖章）/ 法定代表人（签字）/ 驻疆负责人（签字）/ 日期, with lines to sign on."""
    rows = []
    style_cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for index, (label, value) in enumerate(signature_lines(parties)):
        rows.append([Paragraph(escape(label), styles["sign"]), Paragraph(escape(value), styles["sign"])])
        if not value:
            # Room for a handwritten signature, on a line.
            style_cmds.append(("TOPPADDING", (0, index), (-1, index), 22))
            style_cmds.append(("LINEBELOW", (1, index), (1, index), 0.6, colors.black))
    # Heights follow the content, so a long enterprise name wraps instead of overflowing.
    table = Table(rows, colWidths=[46 * mm, 76 * mm], hAlign="RIGHT")
    table.setStyle(TableStyle(style_cmds))
    return table


def _footer_drawer(parties: LetterParties, font_name: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Per-page footer binding the paper to its enterprise and filing (shrinks to fit long names)."""
    fields = footer_fields(parties)
    line1 = "　".join(f"{label}：{value}" for label, value in fields[:2])
    line2 = "　".join(f"{label}：{value}" for label, value in fields[2:])
    page_width, _ = A4
    usable = page_width - 2 * _MARGIN_X

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(_GREY)
        canvas.setLineWidth(0.5)
        top = _MARGIN_BOTTOM - 10 * mm
        canvas.line(_MARGIN_X, top, page_width - _MARGIN_X, top)
        canvas.setFillColor(_GREY)
        page_label = f"第 {doc.page} 页"
        for offset, text in ((4.5 * mm, line1), (9 * mm, f"{line2}　{page_label}")):
            size = _FOOTER_SIZE
            while size > 5 and pdfmetrics.stringWidth(text, font_name, size) > usable:
                size -= 0.5
            canvas.setFont(font_name, size)
            canvas.drawString(_MARGIN_X, top - offset, text)
        canvas.restoreState()

    return draw


def render_commitment_letter(
    parties: LetterParties, *, font_candidates: Sequence[str | os.PathLike[str]] | None = None
) -> bytes:
    """The filled-in commitment letter as PDF bytes (A4, one page for the standard text).

    ``font_candidates`` overrides :data:`FONT_CANDIDATES` (an empty list forces the CID fallback).
    """
    font = resolve_cjk_font(font_candidates)
    styles = _styles(font.name)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=TITLE,
        author=parties.enterprise_name or "",
        subject=f"{parties.business_label} {parties.filing_reference}".strip(),
        creator=PRODUCER,
        producer=PRODUCER,
        lang="zh-CN",
    )
    story: list[Flowable] = [
        _Title(TITLE, font.name, _TITLE_SIZE),
        Spacer(1, 6 * mm),
        Paragraph(escape(DECLARATION_HEADING), styles["heading"]),
        Paragraph(opening_sentence(parties, mark=_underlined), styles["body"]),
        *(Paragraph(escape(numbered(i, text)), styles["body"]) for i, text in enumerate(COMMITMENTS)),
        Spacer(1, 8 * mm),
        KeepTogether([_signature_block(parties, styles)]),
    ]
    footer = _footer_drawer(parties, font.name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def is_readable_pdf(path: str | os.PathLike[str] | BinaryIO) -> bool:
    """Whether a PDF reader opens the file and finds at least one page (the signed letter check)."""
    try:
        source = path if not isinstance(path, os.PathLike) else os.fspath(path)
        return len(PdfReader(source, strict=False).pages) > 0
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
