"""Sanctuary Atlas: ICE detainer outcomes measured with denominators, joined to law and money."""

__version__ = "0.1.0"
