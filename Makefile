# Two entry points that work on a fresh machine: each sets up .venv on first use.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup bench bench-analysis bench-edits bench-map bench-live bench-compare bench-million bench-embed package clean-venv

demo: setup
	$(BIN)/sft-explorer resources/demo/demo.jsonl

test: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest

setup:
	@bash scripts/bootstrap.sh

bench: setup
	$(BIN)/python benchmarks/bench_open.py

bench-analysis: setup
	$(BIN)/python benchmarks/bench_analysis.py

bench-edits: setup
	$(BIN)/python benchmarks/bench_edits.py

bench-map: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_map.py

bench-live: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_live.py

bench-compare: setup
	$(BIN)/python benchmarks/bench_compare.py

bench-million: setup
	$(BIN)/python benchmarks/bench_million.py

bench-embed: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python benchmarks/bench_embed.py

package:
	bash packaging/build.sh

clean-venv:
	rm -rf $(VENV)
