"""Benchmarks (`make bench`): each bench_*.py runs in its own process and prints its figures."""
