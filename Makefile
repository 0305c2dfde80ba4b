.PHONY: all lint test bench
PY ?= python

all: lint test

lint:
	ruff check src tests bench scripts

test:
	$(PY) -m pytest

bench:
	$(PY) bench/bench_pipeline.py
	$(PY) bench/bench_geoparse.py
	$(PY) bench/bench_merge.py
