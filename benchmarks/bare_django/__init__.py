"""Bare Django for bench_api.py: one JsonResponse view running one query, nothing else."""
