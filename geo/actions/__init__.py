"""The resilience action catalogue (``data/actions.toml``): its model, loading and validation, the
rules that link actions to layers and features, and links to the map. ``python -m geo.actions``
checks it.
"""
