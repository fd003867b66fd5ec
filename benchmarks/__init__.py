"""Benchmarks: ``python -m benchmarks`` (or ``make bench``). Timings never go in the test suite."""
