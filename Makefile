# Two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PEOPLE ?= 100000

.PHONY: setup system-packages run demo test lint fuzz clean

setup: $(STAMP) system-packages

# pip packages go into the venv; reinstalled when the pins change. The Debian packages come
# first: PyICU compiles against libicu-dev.
$(STAMP): requirements.txt pyproject.toml | system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --group dev
	touch $(STAMP)

# Debian packages: Chromium for browser tests and static export, Khmer and DejaVu fonts
# (briefing PDFs embed them), poppler-utils (tests read PDF text and render a page), a Java
# runtime (17 on Debian 12) for pyspark 4, which tests/test_spark.py runs in local mode;
# ICU's headers, pkg-config and g++ to build PyICU (Khmer line breaking in the briefing
# packs), and LibreOffice Impress, through which tests/test_brief_layout.py renders a PPTX.
SYSTEM_PACKAGES := chromium fonts-khmeros fonts-dejavu-core poppler-utils default-jre-headless \
	libicu-dev pkg-config g++ libreoffice-impress
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi khmer \
		|| ! test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || ! command -v pdftoppm >/dev/null 2>&1 \
		|| ! command -v java >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1 \
		|| ! command -v g++ >/dev/null 2>&1 || ! pkg-config --exists icu-i18n 2>/dev/null; then \
		echo "Installing Debian packages: $(SYSTEM_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

demo: setup
	$(PY) -m dashboard demo --if-missing --people $(DEMO_PEOPLE)

# Says how to sign in; on the very first start it creates `admin` and prints its password.
run: demo
	$(PY) -m dashboard user first-run
	$(VENV)/bin/streamlit run dashboard/app.py

lint: setup
	$(PY) -m ruff check dashboard tests
	$(PY) -m ruff format --check dashboard tests
	$(VENV)/bin/sqlfluff lint queries --processes 2

test: setup lint
	$(PY) -m pytest

# Fuzzing with fresh random seeds and many examples (the test gate replays fixed ones).
fuzz: setup
	HYPOTHESIS_PROFILE=explore FUZZ_SCALE=30 $(PY) -m pytest tests/test_fuzz.py


clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
