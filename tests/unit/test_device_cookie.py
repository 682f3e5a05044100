"""Unit tests of the device cookie (``geo.web.device``) in a plain Starlette app: a request
without a valid ``rp_device`` gets one (and the app already reads it), a request with one keeps
it, a shared-cacheable response never carries it, and its attributes."""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from geo.web.device import DEVICE_COOKIE, DeviceCookieMiddleware, device_of, new_device, valid_device

DEVICE = re.compile(r"^d[0-9a-f]{32}$")


def seen(request: Request) -> PlainTextResponse:
    """What the application reads as the device: the cookie, new or sent."""
    return PlainTextResponse(str(device_of(request.cookies)))


def public(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("font", headers={"cache-control": "public, immutable, max-age=31536000"})


def client(base_url: str = "http://testserver") -> TestClient:
    app = Starlette(routes=[Route("/", seen), Route("/font", public)],
                    middleware=[Middleware(DeviceCookieMiddleware)])
    return TestClient(app, base_url=base_url)


def test_new_ids_are_random_and_checked():
    first, second = new_device(), new_device()
    assert DEVICE.match(first) and first != second and valid_device(first)
    for bad in (None, "", "c" + "0" * 32, "d" + "0" * 31, "d" + "G" * 32, "d" + "0" * 32 + ";x"):
        assert not valid_device(bad)


def test_a_request_without_a_device_gets_one_it_can_already_read():
    r = client().get("/")
    cookie = r.headers["set-cookie"]
    value = re.match(rf"{DEVICE_COOKIE}=(d[0-9a-f]{{32}}); ", cookie)[1]
    assert r.text == value  # the first page already knows its device
    for part in ("Max-Age=2592000", "Path=/", "HttpOnly", "SameSite=Lax"):
        assert part in cookie
    assert "Secure" not in cookie


def test_the_browser_keeps_its_device_and_is_not_given_another():
    browser = client()
    first = browser.get("/").text
    r = browser.get("/")
    assert r.text == first and "set-cookie" not in r.headers


def test_an_invalid_device_is_replaced_other_cookies_kept():
    browser = client()
    browser.cookies.set(DEVICE_COOKIE, "d<script>")
    browser.cookies.set("other", "1")
    r = browser.get("/")
    assert DEVICE.match(r.text) and r.text in r.headers["set-cookie"]


def test_secure_over_https_and_never_on_a_shared_cacheable_response():
    r = client("https://testserver").get("/")
    assert "; Secure" in r.headers["set-cookie"]
    r = client().get("/font")
    assert "set-cookie" not in r.headers and r.text == "font"
