"""tracker: career-orientation progress for the MSc Bio-Pharmaceutical Sciences."""

__version__ = "0.1.0"
