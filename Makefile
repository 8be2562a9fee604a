# The whole set-up on a fresh machine with only python3:  make build  &&  make test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Label Studio lives in its own venv (it pins pyarrow<25; the project pins pyarrow 26).
# The template holds a migrated empty Label Studio database, so the server test starts the
# server in seconds instead of migrating a database for minutes.
LS_VENV  ?= .venv-ls
LS_STAMP := $(LS_VENV)/.installed-stamp

.PHONY: build test lint install ls-venv clean

build: $(STAMP)  ## create .venv, install, validate the corpus, build the release
	$(BIN)/isf-claims validate
	$(BIN)/isf-claims fmt --check
	$(BIN)/isf-claims build --out dist/

test: $(STAMP) $(LS_STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check tooling tests benchmarks
	$(BIN)/ruff format --check tooling tests benchmarks

install: $(STAMP) $(LS_STAMP)

ls-venv: $(LS_STAMP)  ## Label Studio for the server test, in .venv-ls/

$(LS_STAMP): requirements-labelstudio.txt
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet -r requirements-labelstudio.txt
	rm -rf $(LS_VENV)/template && mkdir -p $(LS_VENV)/template
	LABEL_STUDIO_LATEST_VERSION_CHECK=false $(LS_VENV)/bin/label-studio version \
	    --data-dir $(LS_VENV)/template >/dev/null
	touch $(LS_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(LS_VENV) dist site
