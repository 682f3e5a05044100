"""The only Streamlit-aware corner of ``geo``: cache wrappers and shared widgets per domain, and the
server launcher. Pages call these; domain packages never import Streamlit.
"""
