# The two Quick start commands are `make run` and `make test`; everything else builds on them.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed


.PHONY: run test test-slow lint bench package smoke screenshots clean system-deps venv

system-deps:
	@bash tools/system-deps.sh

$(STAMP): pyproject.toml
	@bash tools/system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,charts,package]"
	@touch $(STAMP)

venv: $(STAMP)

## Open the demo board (no display: render it to demo-board.png and say how to see it live).
run: $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(VENV)/bin/releasable --demo; \
	else \
		echo "No display found: rendering the demo board to demo-board.png instead."; \
		QT_QPA_PLATFORM=offscreen $(VENV)/bin/releasable --demo --screenshot demo-board.png --size 1600x1000 --after 3 \
		&& echo "Wrote demo-board.png. For a live window on a headless machine: bash tools/system-deps.sh --with-xvfb && xvfb-run -a $(VENV)/bin/releasable --demo"; \
	fi

## The whole test suite, headless (the end-to-end tests start their own Xvfb).
test: $(STAMP)
	@bash tools/system-deps.sh --with-xvfb
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider -m "not slow"

## The long tests `make test` leaves out (marked slow): the 100 randomized crashes of delivery.
test-slow: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider -m slow

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests tools
	$(VENV)/bin/ruff format --check app tests tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	@for f in tests/bench/bench_*.py; do echo "== $$f"; QT_QPA_PLATFORM=offscreen $(PY) $$f || exit 1; done

package: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build packaging/releasable.spec

## Start the bundled binary on the demo and check it renders a PNG.
smoke: package
	rm -f dist/smoke.png
	QT_QPA_PLATFORM=offscreen dist/releasable/releasable --demo --screenshot dist/smoke.png --size 1600x1000 --after 3
	@test -s dist/smoke.png && echo "smoke: bundle rendered dist/smoke.png"

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tools/screenshots.py resources/screenshots

clean:
	rm -rf build dist $(VENV) demo-board.png
