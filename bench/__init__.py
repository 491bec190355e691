"""Benchmarks that print figures (see the README): `python -m bench` runs the load benchmark;
run each of the others as `python -m bench.NAME`."""
