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

# Node's test files two at a time; pytest on three workers: the browser tests in two groups, each
# one after another, the rest beside them (tests/conftest.py); then, alone, the tests that write
# machine-wide browser policy (only with CI=true or UCC_WEBHOOKS_E2E_MACHINE_POLICY=1, as root)
test: lint
	node --test --test-concurrency=2 tests/js/
	$(PY) -m pytest -n 3 --dist loadgroup -m "not machine_policy"
	$(PY) -m pytest -p no:xdist -m machine_policy

bench: setup
	$(PY) -m ucc_webhooks_dev.bench

# Wheel + sdist, the store zip (no `key`) and the Firefox package, into dist/ (tests/test_dist.py checks them).
dist: setup
	$(PY) -m ucc_webhooks_dev.release dist
