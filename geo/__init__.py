"""Geodata core of the Paris 20e risk and resilience map (no Streamlit imports, except in ``geo.ui.base``)."""

__version__ = "0.1.0"
