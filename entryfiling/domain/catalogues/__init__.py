"""Catalogues as data: enterprise qualifications (2020 reform) and personnel certificate types, each
versioned in its own module, with a normalising matcher that suggests the nearest names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from entryfiling import messages as msg
from entryfiling.domain.catalogues import certificates, qualifications
from entryfiling.domain.catalogues.matching import Match
from entryfiling.domain.validators import InvalidValue

QUALIFICATION = "qualification"
CERTIFICATE_TYPE = "certificate_type"
TRADE = "trade"
QUALIFICATION_CLASS = "qualification_class"

# Catalogue key (as named by a Field's ``catalogue``) → its matcher.
CATALOGUES: dict[str, Callable[[str], Match[Any]]] = {
    QUALIFICATION: qualifications.match_qualification,
    CERTIFICATE_TYPE: certificates.match_certificate_type,
    TRADE: certificates.match_trade,
}


# Derivation key (as named by a table column's ``derivation``) → the value it derives from its source, or None.
DERIVATIONS: dict[str, Callable[[str], str | None]] = {
    QUALIFICATION_CLASS: qualifications.class_of_name,
}


def check_catalogue_name(catalogue: str, text: str) -> None:
    """Refuse a name the catalogue does not know, naming the nearest entries."""
    match = CATALOGUES[catalogue](text)
    if match.entry is not None:
        return
    if match.suggestions:
        raise InvalidValue(msg.CATALOGUE_UNKNOWN_SUGGEST.format(value=text, suggestions="、".join(match.suggestions)))
    raise InvalidValue(msg.CATALOGUE_UNKNOWN.format(value=text))
