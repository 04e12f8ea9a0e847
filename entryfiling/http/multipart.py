"""One multipart/form-data body (form fields and files together) as one argument location.

webargs reads ``form`` and ``files`` as two locations, and flask-smorest documents two
``@arguments`` as one request body plus a Swagger-2 ``formData`` parameter, which is not valid
OpenAPI 3. A ``multipart`` location that reads both gives one schema, parsed and documented as
the single ``multipart/form-data`` request body it is (what ``wx.uploadFile`` sends).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Request
from flask_smorest import Blueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

MULTIPART = "multipart"


class MultipartParser(FlaskParser):
    __location_map__: dict[str, Any] = {**FlaskParser.__location_map__, MULTIPART: "load_multipart"}  # noqa: RUF012

    def load_multipart(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class MultipartBlueprint(Blueprint):  # type: ignore[misc]  # flask-smorest ships no type hints
    """A flask-smorest blueprint that also takes ``location="multipart"`` arguments."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        MULTIPART: "multipart/form-data",
    }
