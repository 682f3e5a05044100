"""Per-page title, the page script (language, Streamlit's own strings, map frame titles) and the
middleware that writes the page's language into the first HTML (plain ASGI, no server)."""

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor

from geo.ui.page_meta import (
    STREAMLIT_STRINGS,
    HtmlLangMiddleware,
    document_title,
    lang_from_query,
    lang_script,
)

INDEX = b'<!DOCTYPE html>\n<html lang="en">\n<head><title>Streamlit</title></head></html>'


def test_document_title_per_page():
    assert document_title("Carte", "fr") == "Carte — Résilience Paris 20e"
    assert document_title("  Flood\n zones ", "en") == "Flood zones — Résilience Paris 20e"
    assert document_title("", "fr") == "Résilience Paris 20e"


def config_of(script: str) -> dict:
    return json.loads(re.search(r"var config = (\{.*?\}), state", script, re.S)[1])


def test_lang_script_writes_only_known_codes_and_the_apps_strings():
    script = lang_script("en")
    assert script.startswith("<script>") and script.endswith("</script>")
    assert "</" not in script[len("<script>"):-len("</script>")]
    assert config_of(script)["lang"] == "en"
    assert config_of(lang_script('"; alert(1); "'))["lang"] == "fr"
    french = config_of(lang_script("fr"))
    assert french["strings"]['[data-testid="stSkipToContent"]']["text"] == "Aller au contenu principal"
    assert french["frameTitle"] == "Carte interactive"
    assert set(french["strings"]) == set(STREAMLIT_STRINGS)


def test_lang_from_query():
    assert lang_from_query(b"lang=en") == "en"
    assert lang_from_query(b"workshop=x&lang=en&step=2") == "en"
    assert lang_from_query(b"lang=de") == "fr"
    assert lang_from_query(b"flang=en") == "fr"
    assert lang_from_query("") == "fr"


def _serve(path, query, content_type=b"text/html", chunks=(INDEX,), method="GET"):
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type),
                                (b"content-length", str(sum(map(len, chunks))).encode())]})
        for i, chunk in enumerate(chunks):
            await send({"type": "http.response.body", "body": chunk,
                        "more_body": i < len(chunks) - 1})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query}
    # in a thread of its own: other tests may leave an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, HtmlLangMiddleware(app)(scope, receive, send)).result()
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = dict(sent[0]["headers"])
    return body, headers


def test_index_document_gets_the_page_language():
    body, headers = _serve("/carte", b"lang=en")
    assert b'<html lang="en">' in body
    body, headers = _serve("/carte", b"")
    assert b'<html lang="fr">' in body and b'lang="en"' not in body
    assert headers[b"content-length"] == str(len(body)).encode()


def test_chunked_html_is_reassembled():
    body, _ = _serve("/", b"", chunks=(INDEX[:20], INDEX[20:]))
    assert body == INDEX.replace(b'lang="en"', b'lang="fr"')


def test_assets_and_non_html_untouched():
    body, _ = _serve("/static/js/index.js", b"", content_type=b"text/html")
    assert body == INDEX
    body, _ = _serve("/carte", b"", content_type=b"application/json")
    assert body == INDEX
    body, _ = _serve("/carte", b"", method="HEAD")
    assert body == INDEX
