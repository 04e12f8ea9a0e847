"""What requests reads from the environment on every call, read once for a session to one address."""

from __future__ import annotations

import os

import requests


def settle_environment(http: requests.Session, base_url: str) -> None:
    """Settle the proxy, CA bundle and ``.netrc`` credentials the environment names for ``base_url``
    on ``http``, and turn the per-call lookup off.

    With ``trust_env`` on, each request scans every environment variable (twice) for proxy
    settings, checks ``no_proxy`` against the URL, looks for a ``~/.netrc`` and for
    ``REQUESTS_CA_BUNDLE``: a quarter of a millisecond of CPU per call, a fifth of what a registry
    call costs our side. A session used only for ``base_url`` gets the same answers every time
    (they depend on the host and the process's environment), so they are read here, once, as
    requests would have read them: the environment's proxies for that URL (none when ``no_proxy``
    exempts it), its CA bundle, and the ``.netrc`` entry of that host when there is one.
    """
    http.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        http.verify = bundle
    if http.auth is None and (netrc := requests.utils.get_netrc_auth(base_url)):
        http.auth = netrc
    http.trust_env = False
