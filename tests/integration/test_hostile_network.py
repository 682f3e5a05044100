"""The room's Wi-Fi as a hostile network: each failure found when main was probed, reproduced as
it was found against the running app (headless websocket sessions, tests/stclient.py, and plain
HTTP), now getting the safe outcome.

One server for the module: staff accounts, a public address, a rate limit of 2 per minute and
a known secret key (so the test can make the room screen's token). Distinct client addresses
are simulated with ``X-Forwarded-For`` from the loopback peer, which uvicorn trusts.
"""

from __future__ import annotations

import base64
import io
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from geo.map.assets import STATIC_DIR
from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.proposals import Submission, Workshop
from geo.participation.store import RateLimit
from geo.participation.workshop import screen_token
from tests.conftest import AppServer
from tests.staff import PASSWORD, open_for_the_room, staff_env
from tests.stclient import Session

WORKSHOP = Workshop("salle-2026-11-26", "Atelier de la salle", "2026-11-26")
SECRET = "secret-de-test-" + "x" * 20
PUBLIC = "http://salle.example/"
FACILITATOR = system_staff("claire")


@pytest.fixture(scope="module")
def server(real_build, tmp_path_factory):
    from geo.map.assets import ensure_assets

    ensure_assets()
    path = tmp_path_factory.mktemp("hostile") / "proposals.sqlite3"
    store = open_sqlite(path, RateLimit(2, 60))
    open_for_the_room(store, WORKSHOP, "canicule")
    # a public file an earlier version left behind: pending proposals and first names
    legacy = STATIC_DIR / "proposals" / f"{WORKSHOP.slug}.json"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text('{"features": [{"properties": {"k": "texte — Awa"}}]}')
    server = AppServer("hostile", env={
        "RESILIENCE_PROPOSALS_SQLITE": str(path), "RESILIENCE_PROPOSALS_RATE_LIMIT": "2/60",
        "RESILIENCE_PUBLIC_URL": PUBLIC, "RESILIENCE_SECRET_KEY": SECRET,
        "RESILIENCE_STAFF": staff_env({"claire": (("facilitator", "moderator"), PASSWORD)})})
    yield server, store
    server.stop()


def client(n: int) -> dict[str, str]:
    """The handshake headers of client address n (TEST-NET-3)."""
    return {"X-Forwarded-For": f"203.0.113.{n}"}


def http(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """(status, headers with lower-case names, body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def sign_in_attempt(session: Session, run, password: str, form: str = "moderation.login"):
    session.set_string(run.widget_id(f"{form}.name"), "claire")
    session.set_string(run.widget_id(f"{form}.password"), password)
    return session.run(trigger=run.form_submit_id(form))


def test_parallel_session_guessing_is_throttled_per_device(server):
    """As found: 100 parallel sessions made 1,000 wrong guesses in 21 s, then the right password
    went straight in, and no log line recorded a failed login."""
    app, _ = server
    answers: list[str] = []
    lock = threading.Lock()

    def guesser(n: int) -> None:
        session = Session(app.url, "moderer", headers=client(66), timeout=120)
        try:
            run = session.run()
            for k in range(10):
                run = sign_in_attempt(session, run, f"devine-{n}-{k}")
                with lock:
                    answers.extend(run.texts("alert"))
        finally:
            session.close()

    started = time.monotonic()
    threads = [threading.Thread(target=guesser, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.monotonic() - started
    assert len(answers) == 1000 and not any("Connecté" in a for a in answers)
    # each refused guess was refused without checking a password: a handful were checked, one
    # per growing delay (1, 2, 4, 8, 16, 30 s) over the attack's duration
    log = app.log()
    checks = log.count("auth.failed user=claire client=")
    assert 1 <= checks <= 2 + int(elapsed).bit_length(), (checks, elapsed)
    assert log.count("auth.refused") >= 1000 - checks
    # the right password from the guessing device is refused while it waits or is locked ...
    session = Session(app.url, "moderer", headers=client(66))
    run = sign_in_attempt(session, session.run(), PASSWORD)
    assert run.widget_id("staff.logout") is None
    assert any("Trop d'essais depuis cet appareil" in a for a in run.texts("alert"))
    session.close()
    # ... while the real moderator on another device signs in at once
    session = Session(app.url, "moderer", headers=client(7))
    run = sign_in_attempt(session, session.run(), PASSWORD)
    assert run.widget_id("staff.logout") is not None
    session.close()
    assert "auth.login user=claire roles=facilitator+moderator" in app.log()
    assert PASSWORD not in app.log() and "devine-" not in app.log()
    assert "203.0.113." not in app.log()  # no client address is written, only keys


def test_nobody_opens_a_workshop_or_steps_without_signing_in(server):
    """As found: « Ouvrir un nouvel atelier » needed no login and a script opened 51 workshops
    in 3 s; the newest then became every fresh screen's and form's workshop."""
    app, store = server
    facilitator = Session(app.url, "atelier", headers=client(8))
    run = sign_in_attempt(facilitator, facilitator.run(), PASSWORD, "room.login")
    ids = {key: run.widget_id(key) for key in ("room.new_name", "room.create", "workshop.next")}
    assert all(ids.values()), ids
    facilitator.close()
    step = store.room().step
    attacker = Session(app.url, "atelier", headers=client(9))
    first = attacker.run()
    assert first.widget_id("room.create") is None and first.widget_id("workshop.next") is None
    for n in range(51):  # the attack, with the widget ids a facilitator's page has
        attacker.set_string(ids["room.new_name"], f"Atelier pirate {n}")
        attacker.run(trigger=ids["room.create"])
    attacker.run(trigger=ids["workshop.next"])
    attacker.close()
    assert [w.slug for w in store.workshops()] == [WORKSHOP.slug]
    assert store.room().step == step and store.room().workshop == WORKSHOP.slug


def test_a_reload_does_not_reset_the_rate_limit(server):
    """As found: the 6-per-minute limit was keyed on the session, so a reload gave a fresh quota."""
    app, store = server

    def send(n: int, address: int) -> list[str]:
        session = Session(app.url, "proposer", f"workshop={WORKSHOP.slug}", headers=client(address))
        try:
            run = session.run()  # the form opens on « Un lieu de la liste », no place chosen
            place_id = run.widget_id("propose.place")
            options = next(e.selectbox.options for e in run.elements
                           if e.WhichOneof("type") == "selectbox" and e.selectbox.id == place_id)
            session.set_string(place_id, options[0])
            run = session.run()
            session.set_string(run.widget_id("propose.text.0"), f"Proposition {n} de {address}")
            return session.run(trigger=run.form_submit_id("propose.form.0")).texts("alert")
        finally:
            session.close()  # the next send is a reload: a new session

    assert any("enregistrée" in a for a in send(1, 20))
    assert any("enregistrée" in a for a in send(2, 20))
    refused = send(3, 20)
    assert any("Vous avez envoyé 2 propositions" in a for a in refused)
    assert any("enregistrée" in a for a in send(4, 21))  # another phone is not limited
    texts = [p.text for p in store.visible(WORKSHOP.slug)]
    assert "Proposition 3 de 20" not in texts and "Proposition 4 de 21" in texts


def test_the_public_live_file_holds_no_personal_data_and_goes_when_closed(server):
    """As found: /app/static/proposals/<slug>.json held the text and first names of pending
    proposals, with ``Access-Control-Allow-Origin: *``, and was never removed."""
    app, store = server
    slug = "fichier-2026-11-27"
    open_for_the_room(store, Workshop(slug, "Fichier public", "2026-11-27"))
    pending = store.submit(Submission("f1", slug, "t", "water", "Fontaine en attente", 2.39, 48.86,
                                      first_name="Awa"), client_key="k1").proposal
    approved = store.submit(Submission("f2", slug, "t", "water", "Fontaine validée", 2.391, 48.861,
                                       first_name="Léa"), client_key="k2").proposal
    store.set_status(FACILITATOR, [approved.id], "approved")
    assert not (STATIC_DIR / "proposals").exists()  # the earlier version's files are gone
    assert http(f"{app.url}/app/static/proposals/{WORKSHOP.slug}.json")[0] == 404

    status, headers, body = http(f"{app.url}/live/{slug}.json")
    assert status == 200 and headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in headers
    features = json.loads(body)["features"]
    assert [f["properties"]["f"] for f in features] == [f"proposal:{approved.id}"]
    assert b"Awa" not in body and "Léa".encode() not in body and b"en attente" not in body
    # the room's screen, when the facilitator shows everything live, also gets the pending ones
    store.set_screen(FACILITATOR, slug, "live")
    url = f"{app.url}/live/{slug}.json?t={screen_token(slug, SECRET.encode())}"
    deadline = time.monotonic() + 30
    while len(json.loads(http(url)[2])["features"]) != 2:  # the answer is kept 2 s
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert b"Awa" not in http(url)[2]
    assert len(json.loads(http(f"{app.url}/live/{slug}.json?t=guess")[2])["features"]) == 1
    store.set_workshop_status(FACILITATOR, slug, "closed")
    assert http(f"{app.url}/live/{slug}.json")[0] == 404
    assert http(url)[0] == 404 and pending.id


def handshake_status(port: int, host: str) -> int:
    """The status of a websocket handshake on /_stcore/stream with this Host header."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n")
                     .encode())
        return int(sock.recv(1024).split(b" ", 2)[1])


def test_a_forged_host_gets_no_session_and_the_qr_code_ignores_it(server):
    """As found: ``server.allowedHosts`` was empty, a request with ``Host: evil.example`` was
    served and the QR code then encoded evil.example."""
    app, _ = server
    assert handshake_status(app.port, "evil.example") == 403
    assert handshake_status(app.port, "localhost:99999@evil.example") == 403
    assert handshake_status(app.port, f"127.0.0.1:{app.port}") == 101
    assert http(f"{app.url}/atelier", {"Host": "evil.example"})[0] == 400
    assert http(f"{app.url}/atelier")[0] == 200
    # a client reporting a forged address of its own: the QR code encodes the public one
    session = Session(app.url, "atelier", f"workshop={WORKSHOP.slug}",
                      url="http://evil.example/atelier", headers=client(10))
    run = session.run()
    session.close()
    [figure] = [e.html.body for e in run.elements
                if e.WhichOneof("type") == "html" and "workshop-qr" in e.html.body]
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', figure)[1])
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.text == f"{PUBLIC}rejoindre/{WORKSHOP.slug}"
    # the address written under it (preformatted text) is the public one too
    shown = " ".join(e.html.body for e in run.elements if e.WhichOneof("type") == "html")
    assert f"{PUBLIC}rejoindre/{WORKSHOP.slug}" in shown and "evil" not in shown


def test_twenty_thousand_unknown_layer_ids_give_bounded_notices(server):
    """As found: ``?layers=`` with 20,000 unknown ids printed 20,000 notices (2.5 MB)."""
    app, _ = server
    query = "layers=" + ",".join(["quartiers", *(f"inconnue{i}" for i in range(20_000))])
    session = Session(app.url, "carte", query, headers=client(11), timeout=120)
    run = session.run()
    session.close()
    notices = [a for a in run.texts("alert") if "non reconnus" in a]
    assert 1 <= len(notices) <= 6 and sum(len(n) for n in notices) < 3000
    assert "autres paramètres ignorés" in notices[-1]


def test_a_forged_pin_is_refused_clearly_never_a_traceback(server):
    """As found: a forged pin ``{"lat": "abc"}`` gave a TypeError traceback."""
    app, _ = server
    session = Session(app.url, "proposer", f"workshop={WORKSHOP.slug}", headers=client(12))
    run = session.run()  # the form opens on « Un lieu de la liste »: the participant picks the map
    session.set_string(run.widget_id("propose.where"), "Un point sur la carte")
    run = session.run()
    component = next(e.component_instance.id for e in run.elements
                     if e.WhichOneof("type") == "component_instance")
    session.set_json(component, {"last_clicked": {"lat": "abc", "lng": 2.39}})
    run = session.run()
    session.close()
    assert "exception" not in run.kinds()
    assert not any(re.search(r"TypeError|Traceback", text) for text in run.texts("alert"))
    assert any("Pas encore de point" in text for text in run.texts("markdown"))
    assert "TypeError" not in Path(app.log_path).read_text()
