# Host only. The README's two commands: `make demo` sets micronn up and runs its main job,
# `make test` sets it up and runs the tests (CI runs exactly this, through .ci/run). Set-up is
# scripts/setup.sh: apt and npm runtimes, and micronn in the project's .venv.
.PHONY: setup demo test

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/micronn demo

test: setup
	.venv/bin/python -m pytest -q -p no:cacheprovider host_tests
