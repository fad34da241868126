"""omskg: an evidence-traced knowledge graph of Opsoclonus myoclonus syndrome, as linked data."""

__version__ = "0.1.0"
