"""Benchmarks that print figures: ``python -m bench`` runs the load benchmark."""
