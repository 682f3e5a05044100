"""Workshops and residents' proposals: validation, the proposals database and its migrations, exports,
the proposals map layer, scenarios and the room's screen.
"""
