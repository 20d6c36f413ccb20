PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-scale validate clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,web]'
	@echo "compiling the engine's kernels once (a few minutes; cached for later runs)"
	$(BIN)/python -c "from twofront.simulation import warm; warm()"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/twofront compare world-2024 --strategies all --runs 2000 --seed 0 --figure out/compare-world-2024.png
	$(BIN)/twofront experiment world-2024 --out out/drivers-world-2024 --runs 4000 --seed 0 --strategies drip-feed,sequencing --keep none --force
	$(BIN)/twofront drivers out/drivers-world-2024 --outcome two_wars_at_once --strategy drip-feed --rank-by swing --top 3 --resamples 30 --figure out/drivers-headline.png
	$(BIN)/twofront drivers out/drivers-world-2024 --outcome two_wars_at_once --difference sequencing,drip-feed --rank-by swing --top 3 --resamples 30 --figure out/drivers-sequencing-vs-drip-feed.png

validate: $(STAMP)
	$(BIN)/twofront validate --runs 300 --out out/validation

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

bench-scale: $(STAMP)
	$(BIN)/python benchmarks/scale.py

mutation: $(STAMP)
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,mutation]'
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
