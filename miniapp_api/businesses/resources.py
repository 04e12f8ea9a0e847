"""The business declarations in the mini-program's own document: the same routes, one handler."""

from __future__ import annotations

from entryfiling.http.businesses import businesses_blueprint

blp = businesses_blueprint("miniapp_businesses", __name__)
