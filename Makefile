# The two things a new machine is for: `make demo` and `make test` (both install what is missing first).
# Every target runs the checkout's own .venv (scripts/setup makes it), never the system's Python.
.PHONY: setup demo test lint bench dist
PY := .venv/bin/python

setup:
	@bash scripts/setup

demo: setup
	$(PY) -m ucc_webhooks_dev.demo

lint: setup
	$(PY) -m ruff check .
	$(PY) -m mypy
	npx --no-install web-ext lint --source-dir extension --output json --pretty > /dev/null || npx --no-install web-ext lint --source-dir extension

# Node's test files two at a time; pytest on two workers, the browser tests in one group, one
# after another (tests/conftest.py)
test: lint
	node --test --test-concurrency=2 tests/js/
	$(PY) -m pytest -n 2 --dist loadgroup

bench: setup
	$(PY) -m ucc_webhooks_dev.bench

# Wheel + sdist, the store zip (no `key`) and the Firefox package, into dist/ (tests/test_dist.py checks them).
dist: setup
	$(PY) -m ucc_webhooks_dev.release dist
