# The two commands: `make run` and `make test`. Each sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test setup bench lint clean

# WeasyPrint needs Pango from Debian, and the database tests start a throwaway server from Debian's
# postgresql package; installed only when missing (and only where apt-get can).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core postgresql

$(STAMP): setup.cfg pyproject.toml
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  (apt-get update -q && apt-get install -y -q $$missing) || \
	  { echo "error: could not install $$missing (run as root, or install them yourself)"; exit 1; }; \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

## make run: score the synthetic demo cohort with the default Twente instrument
run: $(STAMP)
	$(BIN)/weegtool demo --out out/demo

## make test: the whole suite (unit, property, CLI, reports, notebooks) and the type check of the package
test: $(STAMP)
	HYPOTHESIS_PROFILE=ci WEEGTOOL_REQUIRE_POSTGRESQL=1 $(BIN)/python -m pytest
	$(BIN)/python -m mypy

## make bench: the benchmarks (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_research.py
	$(BIN)/python benchmarks/bench_report.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .hypothesis
