# Two entry points on a fresh machine: `make run` and `make test`.
# Both bootstrap .venv from requirements.lock (the whole dependency tree, pinned).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench browser nginx wrk spark clean

$(STAMP): requirements.lock pyproject.toml
	@echo "make: installing the pinned dependencies into $(VENV) (the first time takes a few minutes)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# The gateway on the embedded default: SQLite store and log under ./var, deterministic demo data,
# demo keys and sign-in users printed at start, the URL printed last; on a fresh var/ the example
# requests are recorded first, so the pages have decisions to show. `make run PORT=8080` for another port.
PORT ?= 8000
run: $(STAMP)
	@test -e var/log.db || { echo "make: recording the example requests in var/log.db"; \
	  $(VENV)/bin/sanctuary decide --log var/log.db --jurisdiction chicago examples/requests.jsonl >/dev/null; }
	@echo "make: starting the gateway on port $(PORT)"
	$(VENV)/bin/sanctuary serve --demo --port $(PORT)

# Debian's Chromium drives the browser tests (Playwright is told to use it; it downloads no browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx fronts the demo RMS in the reverse-proxy tests (run in the foreground, config in tmp).
nginx:
	@test -x /usr/sbin/nginx || { apt-get update -qq && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }; }

# Spark runs the retro audit's flagging SQL in one test (tests/test_retro_spark.py): Debian's Java and
# pyspark (big: an optional extra, pinned in requirements-spark.lock), installed for `make test` only.
SPARK_STAMP := $(VENV)/.spark-stamp
$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	touch $(SPARK_STAMP)
spark: $(SPARK_STAMP)

# Lint and format are checked on everything; the type checker is strict on the public modules.
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/ruff format --check src tests bench tools
	$(VENV)/bin/mypy

test: $(STAMP) browser nginx spark lint
	$(PY) -m pytest

# wrk drives bench/gateway.py (Debian package).
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: $(STAMP) wrk
	$(PY) bench/decide.py
	$(PY) bench/gateway.py

clean:
	rm -rf $(VENV) .pytest_cache
