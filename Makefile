# The two promises of the README: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint typecheck pytest bench chromium install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here); the
# emoji font makes the page icons and screenshots show emoji rather than empty boxes.
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
chromium:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="chromium"; \
	[ -e "$(EMOJI_FONT)" ] || missing="$$missing fonts-noto-color-emoji"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for the browser tests:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: $(STAMP)
	$(BIN)/streamlit run app.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy storyboard_core ui

pytest: $(STAMP) chromium
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP) chromium
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
