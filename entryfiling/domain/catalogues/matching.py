"""Matching a free-text name (as typed, or as printed on an older certificate) to a catalogue entry.

Certificates in circulation spell the same thing many ways: 贰级 / 二级 / 2级, 等级 / 级, with or
without spaces and brackets. Names are compared in one normal form; an unknown name gets the nearest
catalogue names as suggestions. Nearness is ``difflib``'s ratio (the standard library's, well kept).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Financial numerals and Arabic digits, as grades are written on certificates of different years.
_NUMERALS = str.maketrans({"壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "1": "一", "2": "二", "3": "三"})
_NOISE = re.compile(r"[\s·•（）()\[\]【】〔〕「」\"'“”‘’:：,，.。、\-—_/]+")
MAX_SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.45


def normalise(text: str) -> str:
    """One comparable form: NFKC, numerals unified, 等级 → 级, punctuation and spaces dropped."""
    folded = unicodedata.normalize("NFKC", text).translate(_NUMERALS).upper()
    folded = folded.replace("等级", "级").replace("不分级", "不分等级")
    # Dropping punctuation can bring a letter next to a combining mark: compose once more.
    return unicodedata.normalize("NFKC", _NOISE.sub("", folded))


@dataclass(frozen=True)
class Match(Generic[T]):
    entry: T | None
    suggestions: tuple[str, ...] = ()


class Matcher(Generic[T]):
    """Names (several per entry: current and former) → entries, matched in normal form."""

    def __init__(self, names: Iterable[tuple[str, T]], shown: Callable[[T], str]) -> None:
        """``names``: (a name, its entry) pairs; ``shown``: how a suggestion names an entry (its current name)."""
        self._by_form: dict[str, T] = {}
        self._shown = shown
        for name, entry in names:
            self._by_form.setdefault(normalise(name), entry)

    def match(self, text: str) -> Match[T]:
        form = normalise(text)
        if form in self._by_form:
            return Match(self._by_form[form])
        near = difflib.get_close_matches(form, list(self._by_form), n=MAX_SUGGESTIONS * 3, cutoff=SUGGESTION_CUTOFF)
        suggestions: list[str] = []
        for candidate in near:
            shown = self._shown(self._by_form[candidate])
            if shown not in suggestions:
                suggestions.append(shown)
        return Match(None, tuple(suggestions[:MAX_SUGGESTIONS]))
