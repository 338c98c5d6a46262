# Точки входа: make run, make test, make lint. Всё остальное — их части.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export DJANGO_SETTINGS_MODULE ?= content_repo.settings

.PHONY: run serve test lint typecheck check pytest pytest-sqlite pytest-postgres setup lock \
        search-node search-node-stop demo schema clean

$(BIN)/.installed: requirements.lock requirements-bootstrap.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bootstrap.lock
	$(BIN)/uv pip sync --quiet --python $(PY) --require-hashes requirements.lock
	touch $@

setup: $(BIN)/.installed

## Пересобрать lock-файл из pyproject.toml (нужен только при смене зависимостей).
lock: $(BIN)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes \
	    --no-header -q -o requirements.lock

run: setup
	mkdir -p "$${VAR_DIR:-var}"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap_catalog
	$(PY) manage.py runserver 127.0.0.1:$${PORT:-8000}

## Рабочий стек на этой машине (docs/operations.md): миграции, статика, gunicorn, очередь, расписания.
## SECRET_KEY без значения создаётся один раз в $VAR_DIR/secret-key; ALLOWED_HOSTS, PORT — из окружения.
serve: setup
	mkdir -p "$${VAR_DIR:-var}"
	export DEPLOYMENT=production; \
	if [ -z "$$SECRET_KEY" ]; then \
	    key_file="$${VAR_DIR:-var}/secret-key"; \
	    [ -s "$$key_file" ] || (umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > "$$key_file"); \
	    SECRET_KEY="$$(cat "$$key_file")"; export SECRET_KEY; \
	fi; \
	$(PY) manage.py migrate --noinput && exec $(PY) manage.py serve $(SERVE_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

check: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# Каждый прогон — в своей папке (файлы, кэш, база SQLite), чтобы `make test` мог вести оба одновременно.
TEST_VAR = $${VAR_DIR:-$(CURDIR)/var}

pytest-sqlite: setup
	mkdir -p "$(TEST_VAR)/test-sqlite"
	VAR_DIR="$(TEST_VAR)/test-sqlite" \
	DATABASE_URL=$${SQLITE_TEST_URL:-sqlite:///$(TEST_VAR)/test-sqlite/test.sqlite3} $(BIN)/pytest -q $(PYTEST_ARGS)

pytest-postgres: setup
	mkdir -p "$(TEST_VAR)/test-postgres"
	VAR_DIR="$(TEST_VAR)/test-postgres" $(PY) scripts/with_postgres.py $(BIN)/pytest -q $(PYTEST_ARGS)

## Весь набор: проверки, затем тесты на SQLite и на PostgreSQL одновременно (по процессу на ядро; их вывод
## перемешан, итог каждого прогона — в его последних строках).
test: lint typecheck check
	$(MAKE) --no-print-directory -j2 pytest-sqlite pytest-postgres

search-node:
	scripts/search-node start

search-node-stop:
	scripts/search-node stop

schema: setup
	$(PY) manage.py spectacular --file docs/openapi.yaml --validate

clean:
	rm -rf $(VENV) var/
