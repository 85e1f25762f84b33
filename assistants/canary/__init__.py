"""Canary deploy rules (pure: normalise, validate, route) and how they are drawn (split bars, labels).

The page is `views/canary.py`, its writes `services/canary.py`, the editor rows `forms/canary.py`.
"""
