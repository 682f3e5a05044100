"""The plain-Starlette web side served beside Streamlit in the same process (no Streamlit import):
precompressed static files (``precompress`` builds the copies, ``static`` serves them), the
subset fonts (``fonts``), the build command of both (``assets``: ``python -m geo.web.assets``),
and the participants' light join page (``join``, ``join_page``).
"""
