# The two commands: `make run` and `make test`. Each sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PORT   ?= 8000
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cksum < package-lock.json | cut -d' ' -f1)

.PHONY: run test setup bench lint format clean catalogues extract

# WeasyPrint needs Pango from Debian, the database tests start a throwaway server from Debian's
# postgresql package, and the browser tests drive Debian's chromium with Playwright (never a browser
# download of Playwright's own); installed only when missing (and only where apt-get can).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core postgresql \
                   chromium

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

# The browser tests inject axe-core from node_modules, exactly as package-lock.json pins it; `npm ci`
# empties node_modules first, so a changed lock file leaves no stale stamp behind. Node.js and npm
# come with the machine; Debian's are installed only if npm is missing. After $(STAMP), so two
# apt-gets never run at once under `make -j`.
$(NODE_STAMP): package.json package-lock.json | $(STAMP)
	@command -v npm >/dev/null || { \
	  echo "installing Debian packages: nodejs npm"; \
	  (apt-get update -q && apt-get install -y -q nodejs npm) || \
	  { echo "error: could not install npm (run as root, or install Node.js yourself)"; exit 1; }; }
	npm ci --no-audit --no-fund
	touch $@

setup: $(STAMP) $(NODE_STAMP) catalogues

## make catalogues: compile the gettext catalogues (weegtool/locale/*/LC_MESSAGES/weegtool.po -> .mo; weegtool
## compiles a missing or stale .mo in memory, and refuses a missing .po, so a page is never English on Dutch
## silently). `make extract` lists the message keys the code and templates use (weegtool.pot, not committed).
catalogues: $(STAMP)
	$(BIN)/pybabel compile --domain weegtool --directory weegtool/locale --statistics

extract: $(STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords 'text plural:1 say t _ _n pattern' \
	  --no-location --sort-output --output-file weegtool/locale/weegtool.pot .

## make run: set up the database (default instrument, an administrator, the synthetic demo cohort) and serve the
## committee's web app on http://127.0.0.1:8000/ (one-time passwords are printed; WEEGTOOL_ADMIN_PASSWORD sets the
## administrator's). `weegtool demo` is the same cohort as files, without the web app.
run: $(STAMP) catalogues
	$(BIN)/weegtool db init --admin admin --demo
	$(BIN)/weegtool serve --host 127.0.0.1 --port $(PORT)

## make test: the whole suite (unit, property, CLI, reports, notebooks, browser), the type check of the package,
## and the formatter and linter (ruff, settings in pyproject.toml)
test: $(STAMP) $(NODE_STAMP) catalogues lint
	HYPOTHESIS_PROFILE=ci WEEGTOOL_REQUIRE_POSTGRESQL=1 WEEGTOOL_REQUIRE_BROWSER=1 $(BIN)/python -m pytest
	$(BIN)/python -m mypy

## make lint: ruff's formatter (checked, not applied) and linter over the package, tests, benchmarks and notebooks (jupytext percent scripts);
## `make format` applies the formatter and the linter's safe fixes, then syncs each notebook .ipynb with its .py (jupytext)
LINTED := weegtool tests benchmarks notebooks
lint: $(STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/jupytext --quiet --sync notebooks/*.py

## make bench: the benchmarks (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_research.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_readers.py
	$(BIN)/python benchmarks/bench_web_load.py
	$(BIN)/python benchmarks/bench_web_load.py --think 1 --out benchmarks/results/web_load_think1.json

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .hypothesis node_modules test-artifacts
