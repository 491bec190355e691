"""Benchmarks that print figures (see the README): run each as `python -m bench.NAME`."""
