"""Allowed hosts and the QR code's base URL (the forged Host of issue 16)."""

import pytest

from geo.participation.hosts import allowed_hosts, host_allowed, public_base_url, public_urls

CONF = ["https://resilience.mairie20.paris.fr/", "http://192.168.1.20:8501/"]


def test_public_urls_parsed_and_checked():
    assert public_urls("https://a.example/ , http://b.example:8501") == \
        ["https://a.example/", "http://b.example:8501"]
    assert public_urls("") == []
    with pytest.raises(ValueError):
        public_urls("javascript:alert(1)")


def test_allowed_hosts_from_public_urls():
    assert allowed_hosts(CONF) == ["resilience.mairie20.paris.fr", "192.168.1.20", "localhost",
                                   "127.0.0.1", "::1"]
    assert allowed_hosts([]) == []


@pytest.mark.parametrize("host, ok", [("192.168.1.20:8501", True), ("LOCALHOST.", True),
                                      ("[::1]:8501", True), ("resilience.mairie20.paris.fr", True),
                                      ("evil.example", False), ("evil.example:8501", False),
                                      ("localhost:8501@evil.example", False),
                                      ("localhost:99999", False), ("", False), (None, False)])
def test_host_header_checked_like_streamlit_allowed_hosts(host, ok):
    assert host_allowed(host, allowed_hosts(CONF)) is ok
    assert host_allowed(host, [])  # nothing configured: any host


def test_qr_never_follows_an_unlisted_host():
    assert public_base_url(CONF, "https://evil.example/atelier") == CONF[0]
    assert public_base_url(CONF, "http://192.168.1.20:8501/atelier") == \
        "http://192.168.1.20:8501/atelier"
    assert public_base_url(CONF, "https://RESILIENCE.mairie20.paris.fr./atelier").startswith(
        "https://RESILIENCE")
    assert public_base_url(CONF, None) == CONF[0]


def test_without_configuration_only_local_addresses():
    assert public_base_url([], "http://localhost:8501/atelier") == "http://localhost:8501/atelier"
    assert public_base_url([], "http://evil.example/atelier") is None
