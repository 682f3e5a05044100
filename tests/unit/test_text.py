from geo.core.text import escape_html, escape_md, markdown_table

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_html_escaping_neutralises_markup():
    assert escape_html(PAYLOAD) == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_html('" onmouseover="x') == "&quot; onmouseover=&quot;x"
    assert escape_html(None) == ""


def test_markdown_escaping_neutralises_links_images_and_html():
    out = escape_md("![x](http://evil/) [clic](javascript:alert(1)) " + PAYLOAD)
    assert "<img" not in out and "](" not in out
    assert escape_md("Père-Lachaise") == "Père\\-Lachaise"


def test_markdown_table_keeps_escaped_cells_inside_their_column():
    table = markdown_table(["Nom", "Type"], [[escape_md("A | B"), escape_md(PAYLOAD)]])
    lines = table.splitlines()
    assert lines[0] == "| Nom | Type |" and lines[1] == "|---|---|"
    assert lines[2].count(" | ") == 1  # the data's pipe is escaped, not a column break
    assert "<img" not in table
