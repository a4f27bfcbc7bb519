# Host only. The README's commands; each sets up what it needs first (scripts/setup.sh: apt and
# npm runtimes, and micronn in the project's .venv), then runs:
#   make demo      the main job, with micronn's own dependencies only (no extras);
#   make test      the everyday tier: host logic, the firmware on MicroPython WebAssembly, and
#                  one flash, predict and verify round on each emulated board (the micro:bit and
#                  the virtual modern board): every test not marked `slow`, about a minute on a
#                  2-CPU machine (its budget: 5);
#   make test-all  every test, the `slow` ones too (busy machine, faults, set-up from a fresh
#                  clone, the wheel, the boards in depth): what CI runs through .ci/run.
# make setup only sets up, for the tests. Extra pytest options go in PYTEST_ADDOPTS.
.PHONY: setup setup-demo demo test test-all

PYTEST = .venv/bin/python -m pytest -q -p no:cacheprovider

setup:
	bash scripts/setup.sh test

setup-demo:
	bash scripts/setup.sh demo

demo: setup-demo
	.venv/bin/micronn demo

test: setup
	$(PYTEST) -m "not slow" host_tests

test-all: setup
	$(PYTEST) host_tests
