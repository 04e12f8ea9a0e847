"""The businesses declared so far: sections, fields, attachment kinds and rules."""

from __future__ import annotations

from entryfiling.http.businesses import businesses_blueprint

blp = businesses_blueprint("businesses", __name__)
