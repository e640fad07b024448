# The two promises of the README: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run share test lint typecheck pytest bench debian chromium install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) debian

# Debian packages the project needs: Chromium for the browser tests (Playwright cannot download its
# own browser here) with the emoji font for page icons and screenshots; DejaVu, the font embedded in
# PDF storyboards; poppler-utils, whose pdftoppm the PDF tests rasterise a page with.
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
PDF_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
debian:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="chromium"; \
	[ -e "$(EMOJI_FONT)" ] || missing="$$missing fonts-noto-color-emoji"; \
	[ -e "$(PDF_FONT)" ] || missing="$$missing fonts-dejavu-core"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The old name of the target above, kept for scripts that call it.
chromium: debian

run: $(STAMP) debian
	$(BIN)/streamlit run app.py

# The app on the local network, behind the editor passcode and review links (see README).
share: $(STAMP) debian
	$(BIN)/storyboard serve --share

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy storyboard_core ui

pytest: $(STAMP) debian
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP) debian
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
