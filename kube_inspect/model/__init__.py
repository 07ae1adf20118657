"""The model: frozen dataclasses and pure values.

Imports nothing else of the package.
"""
