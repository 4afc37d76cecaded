# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test docs bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,plot,distributed,docs,archives]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m experiments mackey-glass

test: $(STAMP)
	$(PY) -m pytest -q tests --ignore=tests/cuda
	NUMBA_ENABLE_CUDASIM=1 $(PY) -m pytest -q tests/cuda

# The Sphinx site in docs/_build/html; warnings (an undocumented parameter among them) are errors.
docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/esn_harvest.py
	$(PY) benchmarks/esn_batched.py
	$(PY) benchmarks/rtrl_step.py
	$(PY) benchmarks/lstm_dekf_step.py
	$(PY) benchmarks/grid_search.py
	$(PY) benchmarks/many_sequences.py
	$(PY) benchmarks/classification.py

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/img
