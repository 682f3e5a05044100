"""Client address behind trusted proxies, pseudonymous rate keys."""

import pytest

from geo.participation.clientaddr import forwarded_allow_ips, log_tag, networks, parse, rate_key, resolve

SECRET = b"k" * 32
PROXIES = networks(["10.0.0.5", "::1", "127.0.0.1"])


def test_parse_unwraps_ipv4_mapped_and_zones():
    assert str(parse("::ffff:127.0.0.1")) == "127.0.0.1"
    assert str(parse("[2001:db8::1]")) == "2001:db8::1"
    assert str(parse("fe80::1%eth0")) == "fe80::1"
    assert parse("evil.example") is None and parse("") is None and parse(None) is None


def test_peer_not_a_proxy_ignores_forwarded_header():
    assert resolve("192.0.2.44", ["203.0.113.9"], PROXIES) == "192.0.2.44"


def test_right_most_untrusted_hop_wins():
    assert resolve("10.0.0.5", ["198.51.100.4, 203.0.113.7"], PROXIES) == "203.0.113.7"
    assert resolve("::ffff:10.0.0.5", ["203.0.113.7"], PROXIES) == "203.0.113.7"
    # a forged left part and a chain of our own proxies
    assert resolve("127.0.0.1", ["1.2.3.4, 203.0.113.7, 10.0.0.5"], PROXIES) == "203.0.113.7"
    assert resolve("10.0.0.5", ["203.0.113.7", "10.0.0.5"], PROXIES) == "203.0.113.7"  # two headers
    assert resolve("10.0.0.5", [], PROXIES) == "10.0.0.5"
    assert resolve("10.0.0.5", ["garbage"], PROXIES) is None


def test_uvicorn_setting_covers_the_dual_stack_view():
    value = forwarded_allow_ips(["10.0.0.0/8"]).split(",")
    assert {"10.0.0.0/8", "::ffff:10.0.0.0/104", "127.0.0.1/32", "::ffff:127.0.0.1/128", "::1/128"} <= set(value)
    with pytest.raises(ValueError):
        forwarded_allow_ips(["not-an-ip"])


def test_rate_key_is_pseudonymous_and_groups_ipv6_64():
    a = rate_key("203.0.113.7", SECRET)
    assert a == rate_key("::ffff:203.0.113.7", SECRET)
    assert "203" not in a and len(a) == 32 and log_tag(a) == a[:8]
    assert rate_key("2001:db8:1:2::10", SECRET) == rate_key("2001:db8:1:2:aaaa::1", SECRET)
    assert rate_key("2001:db8:1:3::10", SECRET) != rate_key("2001:db8:1:2::10", SECRET)
    assert rate_key(None, SECRET) == rate_key("127.0.0.1", SECRET) == rate_key("::1", SECRET)
    assert rate_key("203.0.113.7", b"other") != a
