"""Exposure analyses of one build: access to cool places, heat indicators, flood distances and host
sites, run once per build and settings.
"""
