# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test docs site-check bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,plot,distributed,docs,archives,series]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m experiments mackey-glass

test: $(STAMP)
	$(PY) -m pytest -q tests --ignore=tests/cuda --ignore=tests/site
	NUMBA_ENABLE_CUDASIM=1 $(PY) -m pytest -q tests/cuda

# The Sphinx site in docs/_build/html; warnings (an undocumented parameter among them) are errors.
docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

# The built site in headless Chromium (Debian's chromium): titles, links, images, search.
site-check: $(STAMP)
	$(PY) -m pytest -q tests/site -rs

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/esn_harvest.py
	$(PY) benchmarks/esn_batched.py
	$(PY) benchmarks/esn_rls.py
	$(PY) benchmarks/rtrl_step.py
	$(PY) benchmarks/lstm_dekf_step.py
	$(PY) benchmarks/grid_search.py
	$(PY) benchmarks/many_sequences.py
	$(PY) benchmarks/classification.py
	$(PY) benchmarks/sequence_regression.py
	$(PY) benchmarks/real_series.py
	$(PY) benchmarks/defaults.py
	$(PY) benchmarks/intervals.py

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/img
