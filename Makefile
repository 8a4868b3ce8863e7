# meterbill — the two set-up commands are `make demo` and `make test`; both install
# everything they need on a fresh machine (a venv in .venv from the lock file).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
N ?= 10000
CORPUS ?= ../shared/corpus
# mysqlclient builds against MariaDB's headers; install them only when asked for.
ifneq (,$(findstring mysql,$(DATABASE_URL)))
  EXTRAS := --extra mysql
  SYSDEPS := mysql
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

bench: deps
	$(BIN)/meterbill bench --apartments $(N)

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
