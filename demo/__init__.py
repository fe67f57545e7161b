"""The demo: sample requests and a portfolio taken through the product's own functions.

Never part of the product's code paths: only `manage.py seed_demo` (which `make run` calls)
and the benchmarks' bulk generator (`demo.portfolio.bulk`) use it.
"""
