"""How the pools we open on urllib3 ourselves (registry, WeChat's jscode2session) verify TLS:
as requests, which the rest of our HTTP goes through, would verify it for the same address."""

from __future__ import annotations

import os
from typing import Any

import requests.utils


def verified_pool_options(verify: bool | str = True) -> dict[str, Any]:
    """urllib3 pool options verifying as requests does: ``verify`` a path (a bundle file or a
    directory of certificates) as given; ``True`` the environment's ``REQUESTS_CA_BUNDLE`` or
    ``CURL_CA_BUNDLE``, else requests' own bundle (certifi's); ``False`` no verification."""
    if verify is False:
        return {"cert_reqs": "CERT_NONE", "ca_certs": None}
    location = (
        verify
        if isinstance(verify, str)
        else os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or requests.utils.DEFAULT_CA_BUNDLE_PATH
    )
    return {"cert_reqs": "CERT_REQUIRED", ("ca_cert_dir" if os.path.isdir(location) else "ca_certs"): location}
