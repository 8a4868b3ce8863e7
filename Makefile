# meterbill — the two set-up commands are `make demo` and `make test`; both install
# everything they need on a fresh machine (a venv in .venv from the lock file).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
N ?= 10000
CORPUS ?= ../shared/corpus
# mysqlclient builds against MariaDB's headers: installed when asked for (a mysql://
# DATABASE_URL), and kept whenever the headers are there.
ifneq (,$(findstring mysql,$(DATABASE_URL)))
  SYSDEPS := mysql
  EXTRAS := --extra mysql
else
  EXTRAS := $(shell pkg-config --exists libmariadb 2>/dev/null && echo --extra mysql)
endif

.PHONY: deps demo test bench serve lint fmt conformance clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

deps: $(UV)
	scripts/system-deps $(SYSDEPS)
	$(UV) sync --frozen --quiet $(EXTRAS) --python $(PYTHON)

demo: deps
	$(BIN)/meterbill demo

test: deps
	$(BIN)/pytest

# The benchmark empties the database it runs on: its own SQLite file unless
# BENCH_DATABASE_URL names another (it refuses one holding anything else).
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench.sqlite3
# The reading import benchmark keeps its portfolio in a database of its own.
BENCH_IMPORT_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench-import.sqlite3
bench: deps
	DATABASE_URL=$(BENCH_DATABASE_URL) METERBILL_OUT_DIR=$(CURDIR)/var/bench-out \
	  $(BIN)/meterbill bench --apartments $(N)
	$(BIN)/python bench/bench_rating.py 20000
	DATABASE_URL=$(BENCH_IMPORT_DATABASE_URL) $(BIN)/python bench/bench_import.py \
	  --again --apartments 2000 --rows 200000
	rm -f var/bench-print.sqlite3; DATABASE_URL=sqlite:///$(CURDIR)/var/bench-print.sqlite3 \
	  METERBILL_OUT_DIR=$(CURDIR)/var/bench-out $(BIN)/python bench/bench_print.py

serve: deps
	$(BIN)/meterbill serve-demo

lint: deps
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: deps
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

conformance: deps
	$(BIN)/meterbill conformance --corpus $(CORPUS)

clean:
	rm -rf out var .pytest_cache
