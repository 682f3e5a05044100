"""Printable documents built from the analyses: the sheets of a facility or a quartier."""
