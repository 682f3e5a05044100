"""What the browser tests read and do inside the map's iframe (shared by the map, actions and
workshop tests)."""

TIMEOUT = 90_000

#: The st_folium component's iframe.
FRAME = 'iframe[src*="streamlit_folium.st_folium"]'

#: JS run inside the map's iframe: drawn features per layer (fid prefix) of the Leaflet map.
COUNT_JS = """() => {
    const counts = {};
    if (!window.map) { return counts; }
    window.map.eachLayer(l => {
        const f = l.feature && l.feature.properties && l.feature.properties.f;
        if (f) { const id = f.split(':')[0]; counts[id] = (counts[id] || 0) + 1; }
    });
    return counts;
}"""


def map_frame(page):
    page.wait_for_selector(FRAME, timeout=TIMEOUT)
    handle = page.query_selector(FRAME)
    frame = handle.content_frame()
    frame.wait_for_function("() => window.map && window.feature_group && "
                            "window.feature_group.length > 0", timeout=TIMEOUT)
    return frame


def wait_counts(frame, predicate: str) -> dict:
    """Wait until the drawn counts satisfy ``predicate`` (JS on ``c``), return them."""
    frame.wait_for_function(f"() => {{ const c = ({COUNT_JS})(); return {predicate}; }}",
                            timeout=TIMEOUT)
    return frame.evaluate(COUNT_JS)


def click_feature(page, frame, fid: str) -> None:
    """Click the drawn feature ``fid`` where Leaflet put it on screen."""
    point = frame.evaluate("""(fid) => {
        let found = null;
        window.map.eachLayer(l => {
            if (l.feature && l.feature.properties.f === fid && l.getLatLng) { found = l; }
        });
        window.map.setView(found.getLatLng(), 17, {animate: false});
        const p = window.map.latLngToContainerPoint(found.getLatLng());
        const r = window.map.getContainer().getBoundingClientRect();
        return {x: p.x + r.left, y: p.y + r.top};
    }""", fid)
    box = page.query_selector(FRAME).bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
