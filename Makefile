# The two commands of the README:
#   make run   — installs everything, builds the data, starts the app on http://localhost:$(PORT)
#   make test  — installs everything (incl. Chromium, GDAL, PostgreSQL), builds the data, runs all tests
# Every other target is a step of those two.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
MIRROR ?= ../shared/data/raw

.PHONY: run test setup system assets data lint bench

run: setup assets data
	$(PY) -m geo.serve --server.port=$(PORT)

test: system setup assets data
	$(PY) -m pytest

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Debian packages the tests drive as outside clients: Chromium (browser tests), GDAL's ogrinfo
# (export checks), PostgreSQL (proposal store), Pango (the sheets' PDF) and poppler's pdftoppm
# (reading a PDF page as an image). Installed only when missing.
system:
	@bash .ci/system-packages

# Leaflet into static/, then the precompressed copies (brotli, gzip) of every static file and the
# subset fonts into data/cache/web/ (first time ~1 min, then a few seconds).
assets: setup
	$(PY) -m geo.map.assets
	$(PY) -m geo.web.assets

# The data build: from the local mirror of official exports when it exists, else online.
data: setup
	@if [ -d "$(MIRROR)" ]; then $(PY) -m geo.ingest --mirror "$(MIRROR)"; \
	else $(PY) -m geo.ingest --online; fi

lint: setup
	$(VENV)/bin/ruff check .

bench: setup assets data
	$(PY) bench/run_all.py
