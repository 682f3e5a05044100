from geo.text import escape_html, escape_md

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_html_escaping_neutralises_markup():
    assert escape_html(PAYLOAD) == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_html('" onmouseover="x') == "&quot; onmouseover=&quot;x"
    assert escape_html(None) == ""


def test_markdown_escaping_neutralises_links_images_and_html():
    out = escape_md("![x](http://evil/) [clic](javascript:alert(1)) " + PAYLOAD)
    assert "<img" not in out and "](" not in out
    assert escape_md("Père-Lachaise") == "Père\\-Lachaise"
