VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.crossl-installed

.PHONY: demo test lint docs benchmark-quick

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[hapt,tables,export,explain,docs,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/crossl demo --out runs/demo

benchmark-quick: $(STAMP)
	$(VENV)/bin/crossl benchmark --config configs/benchmarks/hapt-quick.yaml --out runs/hapt-quick

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy src/crossl
	$(VENV)/bin/mkdocs build --quiet
	$(VENV)/bin/pytest -q
	$(VENV)/bin/pytest -q -m slow tests/test_bad_input_suite.py tests/experiments/test_resume.py

docs: $(STAMP)
	$(VENV)/bin/mkdocs build

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
