# Two commands do everything on a fresh machine:
#   make demo   – build .venv from uv.lock, serve the bundled demo site, run the pipeline once
#   make test   – build .venv with the dev extras from uv.lock, run the whole test suite
# Every dependency comes from uv.lock (the whole tested set, with hashes); `make upgrade`
# re-resolves it from pyproject.toml and runs the suite as the gate.
PYTHON ?= python3
VENV   ?= .venv
TOOLS  ?= .tools
BIN    := $(VENV)/bin
UV     := $(TOOLS)/bin/uv
# uv resolves and installs from the public index only (it does not read pip's
# configuration), and never downloads an interpreter: it uses $(PYTHON).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
UV_SYNC := $(UV) sync --locked --python $(PYTHON)

.PHONY: demo test lint format clean upgrade lock tools-lock

$(UV): requirements/tools.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements/tools.txt
	touch $(UV)

# The runtime set alone (what a production install gets) for the demo…
$(VENV)/.runtime: $(UV) pyproject.toml uv.lock
	$(UV_SYNC)
	rm -f $(VENV)/.dev
	touch $@

# …and the runtime set plus the test tools for the suite.
$(VENV)/.dev: $(UV) pyproject.toml uv.lock
	$(UV_SYNC) --extra dev
	rm -f $(VENV)/.runtime
	touch $@

demo: $(if $(wildcard $(VENV)/.dev),$(VENV)/.dev,$(VENV)/.runtime)
	$(BIN)/translator-pipeline demo

test: $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-resolve after editing pyproject.toml (keeps every other pin).
lock: $(UV)
	$(UV) lock --python $(PYTHON)

# Move every dependency to its newest allowed release, then let the suite judge it.
upgrade: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(MAKE) test

tools-lock: $(UV)
	grep -E '^uv==' requirements/tools.txt | cut -d' ' -f1 > $(TOOLS)/tools.in
	$(UV) pip compile $(TOOLS)/tools.in --generate-hashes --no-header --quiet \
	  --python-version 3.11 -o $(TOOLS)/tools.txt
	{ sed -n '1,2p' requirements/tools.txt; cat $(TOOLS)/tools.txt; } > requirements/tools.txt.new
	mv requirements/tools.txt.new requirements/tools.txt

clean:
	rm -rf $(VENV) $(TOOLS) public .state build *.egg-info src/*.egg-info
