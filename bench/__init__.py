"""The sync benchmark: `make bench` (or `BENCH_SCALE=0.1 make bench` for a quick look).

``python -m bench`` runs ``bench.suite`` once per database (PostgreSQL, SQLite) in its own
process, prints every figure and writes them to ``bench/results.json``.
"""
