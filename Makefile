# The two promises of the README: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run share test lint typecheck pytest bench debian-run debian-test debian chromium install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) debian-test

# Debian packages. Running needs only DejaVu, the font embedded in PDF storyboards. The tests and the
# benchmarks also need Chromium (Playwright cannot download its own browser here) with the emoji font
# for page icons and screenshots, and poppler-utils, whose pdftoppm the PDF tests rasterise a page with.
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
PDF_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
# Installs the packages a recipe listed in $missing, if any (as root, or through sudo).
APT_INSTALL = if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

debian-run:
	@missing=""; \
	[ -e "$(PDF_FONT)" ] || missing="fonts-dejavu-core"; \
	$(APT_INSTALL)

debian-test: debian-run
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="chromium"; \
	[ -e "$(EMOJI_FONT)" ] || missing="$$missing fonts-noto-color-emoji"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	$(APT_INSTALL)

# The old names of the target above, kept for scripts that call them.
debian chromium: debian-test

run: $(STAMP) debian-run
	$(BIN)/streamlit run app.py

# The app on the local network, behind the editor passcode and review links (see README).
share: $(STAMP) debian-run
	$(BIN)/storyboard serve --share

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy storyboard_core ui

# Two workers, one per core (README, Development): three gained at most a tenth (the CPU is busy
# all through) and starved the browser tests' servers when the machine was busy.
PYTEST_WORKERS ?= 2

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): the
# tests start about forty Python processes (app servers, spawned sessions, the CLI) that would
# each compile the project's modules again.
pytest: $(STAMP) debian-test
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

bench: $(STAMP) debian-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
