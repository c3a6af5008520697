# The two things a new machine is for: `make demo` and `make test` (both install what is missing first).
.PHONY: setup demo test bench

setup:
	@bash scripts/setup

demo: setup
	ucc-webhooks demo

test: setup
	npx --no-install web-ext lint --source-dir extension --output json --pretty > /dev/null || npx --no-install web-ext lint --source-dir extension
	node --test tests/js/
	python3 -m pytest

bench: setup
	ucc-webhooks bench
