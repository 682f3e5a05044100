"""What the browser tests read inside the map's iframe (shared by the map and actions tests)."""

#: The st_folium component's iframe.
FRAME = 'iframe[title="streamlit_folium.st_folium"]'

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
