"""tracesguide: a step-by-step terminal guide to TRACES NT for organic importers."""

__version__ = "0.1.0"
