"""The map: URL state, layer definitions and styles, light GeoJSON and its publishing, the folium
elements and their JavaScript, base maps, legend, the details of a clicked feature and the place
search.
"""
