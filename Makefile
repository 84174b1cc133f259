# Two commands for a fresh machine:
#   make run   installs everything into .venv and serves the demo study
#   make test  installs everything (Debian's chromium included) and runs the whole test suite
#
# Installs are pinned: requirements.lock names every package's exact version and hashes (a
# replication package can cite them). uv (from PyPI, pinned below) installs them in parallel and
# compiles their bytecode once; without uv the same lock goes through pip. `make lock` refreshes
# the pins after a change to the dependencies in pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
UV     := uv==0.13.9
# The suite runs in two processes (pytest-xdist): browser tests spend most of their time waiting
# on a server and a browser. PYTEST_ARGS="-n 0" runs it in one.
PYTEST_ARGS ?= -n 2 --dist worksteal

.PHONY: run test install lock browser clean

run: $(STAMP)
	$(BIN)/studyapp demo

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check "$(UV)"; then \
	  echo "installing $(LOCK) with uv"; \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes -r $(LOCK) && \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
	  echo "uv is not available here: installing $(LOCK) with pip"; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK) && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . ; \
	fi
	$(BIN)/python -m compileall -q studyapp
	touch $(STAMP)

# Refresh the pins (every version and hash) after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(UV)"
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal --python-version 3.11 \
	  --no-annotate --custom-compile-command "make lock" --quiet -o $(LOCK)

# Browser tests use Debian's chromium (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) data/demo-study test-output
