# Every target creates .venv on first use, so a fresh machine with only python3 needs nothing else.
# `make app` serves the workshop; `make test` runs everything CI runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8866
# How many participants may open the app at the same moment: that many kernels are kept preheated
# (about 60 MB each; see "Performance" in the README). Pools over 2 refill a minute after a room takes them.
ROOM ?= 2
# Kernels handed to pages at once (the pool is not counted); past it, new visitors see a "workshop is full" page.
# 0 derives it from ROOM: max(10, 2 x ROOM). See "Serving a workshop" in the README for sizing it from memory.
MAX_KERNELS ?= 0
# Seconds a kernel is kept after its page lost its last connection (connected pages keep theirs, however idle).
CULL_AFTER ?= 600
# Seconds a page may take, once sent, to connect to its kernel; a page that never does (a bot, curl) frees it then.
CONNECT_WITHIN ?= 60
# Fewest answers to an activity before a room's bars show it (fewer could point at one person).
ROOM_MINIMUM ?= 5
export ROOM_MINIMUM
# Voilà finds our template (no CDN links) here; voila.json in this folder holds the rest of its settings.
export JUPYTER_PATH := $(CURDIR)/share/jupyter
export PATH := $(CURDIR)/$(BIN):$(PATH)

# `make hub`: a JupyterHub on this machine for a workshop (temporary accounts, the room as a hub service). It
# listens on 127.0.0.1:8000 unless HOST/PORT say otherwise; its own files go to HUB_DIR.
HUB_PORT := $(if $(filter file,$(origin PORT)),8000,$(PORT))
HUB_DIR ?= $(CURDIR)/.hub
# The path the hub is served under (behind a site's own web server, for example /workshop/).
HUB_BASE_URL ?= /
# Idle seconds before the hub stops a participant's server (and deletes their temporary account).
CULL_SERVERS_AFTER ?= 3600
PROXY := deploy/proxy/node_modules/.bin/configurable-http-proxy

.PHONY: app hub test lint typecheck check unit notebooks browser lab bench bench-hub docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,hub]"
	touch $@

## app: check the content, then serve the workshop app at http://$(HOST):$(PORT)/ (HOST=0.0.0.0 for a room)
app: $(BIN)/.installed
	$(BIN)/therapy-workshop check
	$(BIN)/python -m therapy_workshop.shell.serve notebooks/app.ipynb --Voila.ip=$(HOST) --port=$(PORT) --room=$(ROOM) \
		--max-kernels=$(MAX_KERNELS) --cull-after=$(CULL_AFTER) --connect-within=$(CONNECT_WITHIN)

## hub: a JupyterHub for a workshop at http://$(HOST):8000/ (visitors get temporary accounts; it prints the facilitator's link)
hub: $(BIN)/.installed $(PROXY)
	$(BIN)/therapy-workshop check
	HOST=$(HOST) PORT=$(HUB_PORT) HUB_BASE_URL=$(HUB_BASE_URL) HUB_DIR=$(HUB_DIR) CULL_AFTER=$(CULL_AFTER) CULL_SERVERS_AFTER=$(CULL_SERVERS_AFTER) \
		$(BIN)/jupyterhub --config=deploy/jupyterhub_config.py

# The hub's proxy, from the npm registry at the version deploy/proxy/package-lock.json records.
$(PROXY): deploy/proxy/package.json deploy/proxy/package-lock.json
	@command -v npm > /dev/null || { echo "make hub needs Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix deploy/proxy --no-audit --no-fund --loglevel=error
	touch $@

## lab: open the module notebooks in JupyterLab for self-study
lab: $(BIN)/.installed
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

## check: validate all content and notebooks (file:line key: message on any problem)
check: $(BIN)/.installed
	$(BIN)/therapy-workshop check

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/python -m pytest -q -m "not browser and not hub" tests

notebooks: $(BIN)/.installed
	$(BIN)/python -m pytest -q --nbval-lax -p no:cacheprovider notebooks

# The hub tests run `make hub`, which installs the proxy with npm on first use (they skip without npm, except in CI).
browser: $(BIN)/.installed
	$(BIN)/python -m pytest -q -m "browser or hub" tests

## bench: measure load times, latency, bytes, memory and a room of ROOM participants (prints a table)
bench: $(BIN)/.installed
	$(BIN)/therapy-workshop check
	$(BIN)/python benchmarks/bench.py --room $(if $(filter 2,$(ROOM)),30,$(ROOM))

## bench-hub: a room of 20 temporary users arriving together through `make hub` (failures, times, memory)
bench-hub: $(BIN)/.installed $(PROXY)
	$(BIN)/therapy-workshop check
	$(BIN)/python benchmarks/bench_hub.py --users 20

## docs: write the facilitator guide and the handouts (HTML and PDF) into build/
docs: $(BIN)/.installed
	$(BIN)/therapy-workshop docs

## test: lint, types, content check, unit tests, every notebook under nbval, browser tests in Chromium
test: lint typecheck check unit notebooks browser

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache .mypy_cache .hub deploy/proxy/node_modules
