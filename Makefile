# Two commands do everything on a fresh machine:
#   make run    set up .venv, build the index if needed, serve the chat on 127.0.0.1:7860
#   make test   set up .venv with test extras and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_PROGRESS_BARS := 1

.PHONY: install run index test eval bench loadtest clean

# torch is pinned and installed first: 2.13.0 is the CPU build available offline here;
# an unpinned torch would pull several GB of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/quotechat index

run: index
	$(BIN)/quotechat serve --host 127.0.0.1 --port 7860

test: install
	$(BIN)/python -m pytest -rs

eval: install
	$(BIN)/quotechat eval assistant/dev_questions/home_dev.jsonl --quiet
	$(BIN)/quotechat eval ../shared/eval/seed_questions.jsonl --quiet
	$(BIN)/quotechat eval assistant/dev_questions/home_in_domain_unanswerable.jsonl --quiet
	$(BIN)/quotechat eval ../shared/eval/questions.jsonl --corpus ../shared/eval/docs --by-kind --quiet
	$(BIN)/quotechat eval ../shared/eval/questions_liveqa.jsonl --corpus ../shared/eval/docs --by-kind --quiet

bench: install
	$(BIN)/quotechat bench

# 10, then 50 chat sessions for 60 s each against `quotechat serve` on 127.0.0.1:7920.
loadtest: index
	$(BIN)/python -m ui.loadtest --sessions 10 50 --seconds 60

clean:
	rm -rf $(VENV) index/built test-artifacts .pytest_cache
