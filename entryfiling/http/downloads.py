"""Download names a browser shows: the Chinese name, and a readable ASCII name for old clients.

Werkzeug's ``send_file`` derives the plain ``filename`` from the Chinese one by dropping every
non-ASCII character (``企业诚信守法承诺书-JJ….pdf`` becomes ``-JJ….pdf``); a client that ignores
``filename*`` (RFC 6266) would save that. We give it a name chosen for it instead.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def name_download(response: Response, filename: str, ascii_fallback: str) -> Response:
    """Set ``Content-Disposition: attachment`` with ``filename`` (ASCII fallback) and ``filename*`` (UTF-8)."""
    if filename.isascii():
        response.headers.set("Content-Disposition", "attachment", filename=filename)
        return response
    # The same characters werkzeug leaves unquoted in filename* (RFC 5987 attr-char).
    encoded = quote(filename, safe="!#$&+^`|~")
    response.headers.set(
        "Content-Disposition", "attachment", filename=ascii_fallback, **{"filename*": f"UTF-8''{encoded}"}
    )
    return response
