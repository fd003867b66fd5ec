"""A synthetic trade world with ground truth: the files users receive, and the truth behind them.

Outside the sources -> ... -> present flow: it writes files that the ordinary ``ingest`` reads, and
``truth/`` CSVs that tests and benchmarks compare the detectors with. No real company or person.
"""
