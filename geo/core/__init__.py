"""Shared foundations every other package uses: paths and settings, the exception hierarchy, UI
strings, escaping. Imports nothing else from geo.
"""
