"""Ajour: one portal for continuing medical education (CME) in Danish general practice."""

__version__ = "0.1.0"
