# Two entry points on a fresh machine: `make run` and `make test`.
# `make run` bootstraps .venv with what runs (requirements.lock); `make test` (and lint, bench) adds the
# tests', benchmarks' and training script's tools (requirements-dev.lock). Both pinned, whole trees.
PYTHON ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-stamp
STAMP   := $(VENV)/.installed-stamp
PIP     := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint bench bench-quick browser nginx golang wrk spark clean

$(RUNTIME): requirements.lock pyproject.toml
	@echo "make: installing what sanctuary runs on into $(VENV) (pinned; the first time takes a minute or two)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	@echo "make: adding the test, benchmark and training tools to $(VENV) (pinned)"
	$(PIP) -r requirements-dev.lock
	touch $(STAMP)

# The gateway on the embedded default, under the law in force in Chicago (the `chicago` jurisdiction):
# SQLite store and log in $(DEMO_HOME) (./var), whatever SANCTUARY_* the shell holds; deterministic demo
# data, demo keys and sign-in users printed at start, the URL printed last. On a fresh $(DEMO_HOME) the
# example requests are recorded first, so the pages have decisions to show (and `serve --demo` puts
# one held request in the desk's queue). `make run PORT=8080` for another port; Ctrl-C stops it.
# The browser tests run this target as it is (DEMO_HOME in a temporary folder, PORT=0).
PORT ?= 8000
DEMO_HOME ?= var
DEMO := env -u SANCTUARY_LOG -u SANCTUARY_STORE -u SANCTUARY_KEYS SANCTUARY_HOME=$(DEMO_HOME) $(VENV)/bin/sanctuary
run: $(RUNTIME)
	@test -e $(DEMO_HOME)/log.db || { echo "make: recording the example requests in $(DEMO_HOME)/log.db"; \
	  $(DEMO) decide --log $(DEMO_HOME)/log.db --jurisdiction chicago examples/requests.jsonl >/dev/null; }
	@echo "make: starting the gateway on port $(PORT); Ctrl-C stops it (the log and the data stay in $(DEMO_HOME)/)"
	@$(DEMO) serve --demo --jurisdiction chicago --port $(PORT)

# Debian's Chromium drives the browser tests (Playwright is told to use it; it downloads no browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx fronts the demo RMS in the reverse-proxy tests (run in the foreground, config in tmp).
nginx:
	@test -x /usr/sbin/nginx || { apt-get update -qq && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }; }

# Debian's Go and golang.org/x/mod (sumdb/note, sumdb/tlog) read the decision log in tests/test_log_interop_go.py.
golang:
	@{ command -v go >/dev/null 2>&1 && test -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-golang-x-mod-dev >/dev/null; }

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

test: $(STAMP) browser nginx golang spark lint
	$(PY) -m pytest

# wrk drives bench/gateway.py (Debian package).
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: $(STAMP) wrk
	$(PY) bench/decide.py
	$(PY) bench/gateway.py

# Small runs of the decision, gateway, log and retro benchmarks against their peers (bench/quick.py,
# thresholds in bench/quick.toml): run before every merge that touches the request path.
bench-quick: $(STAMP) wrk
	$(PY) bench/quick.py

clean:
	rm -rf $(VENV) .pytest_cache
