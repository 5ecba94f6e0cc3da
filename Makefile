# The guideline site: `make html` builds it, `make test` runs the whole suite.
# Both create the project's own virtual environment (.venv) from the pinned
# versions in pyproject.toml and constraints.txt on first use.

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
BUILDDIR    := _build
HTMLDIR     := $(BUILDDIR)/html
# -W: a warning fails the build; --keep-going: list every problem in one run.
SPHINXOPTS  ?=
STRICT      := -W --keep-going

.DEFAULT_GOAL := help

help:  ## Show the targets
	@echo "Targets:"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "Options: SPHINXOPTS=\"-j 2\" (parallel build), PYTHON=python3.11"

# Debian packages the build needs: graphviz draws the figures at build time, and
# the IPA Gothic font gives it Japanese glyph metrics. Installed with apt-get
# when missing (the project's machines run as root); elsewhere, a clear message.
# pango lays out the PDF of a municipality's policy (WeasyPrint).
DEB_PACKAGES := graphviz fonts-ipafont-gothic libpango-1.0-0 libpangoft2-1.0-0

system-deps:  ## Install the Debian packages the build needs (graphviz, Japanese font, pango)
	@if ! command -v dot >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q IPAGothic \
		|| ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing $(DEB_PACKAGES) with apt-get"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) >/dev/null; \
		else \
			echo "Missing: $(DEB_PACKAGES). Install them (Debian: sudo apt-get install $(DEB_PACKAGES))." >&2; exit 1; \
		fi; \
	fi

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

venv: $(STAMP)  ## Create or update the virtual environment only

# After a build with warnings the next one reads every page again (_ext/guideline_trace/rebuild.py),
# so a problem is listed on every build until it is fixed.
html: $(STAMP) system-deps example-policy  ## Build the site into _build/html (strict: any warning fails)
	$(BIN)/sphinx-build -b html $(STRICT) $(SPHINXOPTS) . $(HTMLDIR)

# A municipality's own 基本方針 and 対策基準 from its profile (README: 団体の担当者のための手引): the policy site,
# Word, PDF, 例文との相違, SoA and the blank 自己点検 workbook, into OUT (default _build/policy/<profile name>).
policy: $(STAMP) system-deps  ## A municipality's policy from its profile: PROFILE=profiles/<name>.yaml [OUT=dir]
	@test -n "$(PROFILE)" || { echo "make policy: name the profile, e.g. make policy PROFILE=profiles/example-town.yaml" >&2; exit 2; }
	PYTHONPATH=_ext $(BIN)/python -m municipal_policy policy --profile "$(PROFILE)" $(if $(OUT),--out "$(OUT)")

# Reads a filled 自己点検 workbook back (the profile is the one the workbook names, or PROFILE=) and adds the
# result (page and workbook) to the policy site.
self-assessment: $(STAMP) system-deps  ## Read a filled 自己点検 workbook: INPUT=filled.xlsx [PROFILE=…] [OUT=dir]
	@test -n "$(INPUT)" || { echo "make self-assessment: name the filled workbook, e.g. make self-assessment INPUT=自己点検.xlsx" >&2; exit 2; }
	PYTHONPATH=_ext $(BIN)/python -m municipal_policy self-assessment --input "$(INPUT)" \
		$(if $(PROFILE),--profile "$(PROFILE)") $(if $(OUT),--out "$(OUT)")

# The example town (profiles/example-town.yaml), linked from the page for municipalities: built into the site
# before the guideline, with its filled 自己点検 workbook (from profiles/example-town-answers.yaml) read back.
# Rebuilt only when its inputs change.
EXAMPLE      := profiles/example-town.yaml
EXAMPLE_OUT  := $(HTMLDIR)/municipal/example-town
EXAMPLE_DEPS := $(EXAMPLE) profiles/example-town-answers.yaml $(wildcard traceability/editions/*/edition.json) \
	$(wildcard _ext/trace_model/*.py _ext/municipal_policy/*.py _ext/municipal_policy/static/* _ext/guideline_site/*.py) \
	_static/site.css
$(EXAMPLE_OUT)/.built: $(STAMP) $(EXAMPLE_DEPS) | system-deps
	PYTHONPATH=_ext $(BIN)/python -m municipal_policy fill --profile $(EXAMPLE) \
		--answers profiles/example-town-answers.yaml --out $(BUILDDIR)/example-town-filled.xlsx
	PYTHONPATH=_ext $(BIN)/python -m municipal_policy self-assessment --profile $(EXAMPLE) \
		--input $(BUILDDIR)/example-town-filled.xlsx --out $(EXAMPLE_OUT)
	@touch $@

example-policy: $(EXAMPLE_OUT)/.built  ## Build the example town's policy into the site (make html does it)

serve: $(STAMP) system-deps  ## Live preview at http://127.0.0.1:8000 (rebuilds on save)
	$(BIN)/sphinx-autobuild --host 127.0.0.1 --port 8000 --keep-going \
		--watch _ext --watch traceability . $(BUILDDIR)/serve

test: $(STAMP) system-deps  ## Run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff over _ext/, tests/, bench/ and conf.py; mypy over _ext/ and conf.py
	$(BIN)/ruff check _ext tests bench conf.py
	$(BIN)/mypy _ext conf.py

check: $(STAMP) system-deps  ## Lint, the strict build, then the whole test suite
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory html
	@$(MAKE) --no-print-directory test

# Proposes each requirement's ISO/IEC 27001:2022 links from its 2013 links (ISO/IEC 27002:2022 Annex B) and
# lists what needs an editor's decision; APPLY=1 writes the proposals into the sources.
migrate-iso2022: $(STAMP)  ## Propose ISO/IEC 27001:2022 links from the 2013 links (dry run; APPLY=1 writes them)
	PYTHONPATH=_ext $(BIN)/python -m trace_model.iso2022 $(if $(filter 1 yes true,$(APPLY)),--apply)

# Freezes the current sources as an edition under traceability/editions/<EDITION>/ (commit it): the
# 改定履歴 lists it and the 新旧対照表 compares later sources with it. The title and date are conf.py's
# version and trace_edition_date; TITLE= and DATE=, if given, must agree with them. A clean build (-E), so
# that what is frozen is what the sources at this commit give.
release: $(STAMP) system-deps  ## Freeze the current sources as an edition: EDITION=h27-03 [TITLE=… DATE=…] [FORCE=1]
	@test -n "$(EDITION)" || { echo "make release: name the edition, e.g. make release EDITION=h28-08 TITLE=平成28年8月版 DATE=2016-08" >&2; exit 2; }
	@PYTHONPATH=_ext $(BIN)/python -m trace_model.editions check --id "$(EDITION)" --date "$(DATE)"
	$(BIN)/sphinx-build -b html -E $(STRICT) -D policy_example_check=0 $(SPHINXOPTS) . $(HTMLDIR)
	PYTHONPATH=_ext $(BIN)/python -m trace_model.editions freeze --current $(HTMLDIR)/exports/edition.json \
		--into traceability/editions --id "$(EDITION)" --title "$(TITLE)" --date "$(DATE)" $(if $(filter 1 yes true,$(FORCE)),--force)
	@echo "Building the site again with the new edition (its 改定履歴 and 新旧対照表, and the example town's policy)"
	@$(MAKE) --no-print-directory example-policy
	$(BIN)/sphinx-build -b html $(STRICT) $(SPHINXOPTS) . $(HTMLDIR)

# Stamps the links of the named 例文 items as reviewed (traceability/link-stamps.yaml; commit it), from a build
# that may have suspect-link warnings (so not strict): the next strict build reports the links still suspect.
restamp: $(STAMP) system-deps  ## Stamp the links of 例文 items as reviewed: IDS=STD-3-1-1,STD-3-1-2 (or IDS=all)
	@test -n "$(IDS)" || { echo "make restamp: name the 例文 items whose links you reviewed, e.g. make restamp IDS=STD-3-1-1,STD-3-1-2 (or IDS=all)" >&2; exit 2; }
	@echo "Building the site (its warnings are not shown: the next make html lists what is still suspect)"
	$(BIN)/sphinx-build -b html -Q -D policy_example_check=0 $(SPHINXOPTS) . $(HTMLDIR)
	PYTHONPATH=_ext $(BIN)/python -m trace_model.stamps --current $(HTMLDIR)/exports/edition.json \
		--stamps traceability/link-stamps.yaml --editions traceability/editions --ids "$(IDS)"

linkcheck: $(STAMP)  ## Check the external references (needs internet access)
	$(BIN)/sphinx-build -b linkcheck $(SPHINXOPTS) . $(BUILDDIR)/linkcheck

clean:  ## Remove the build output (keeps .venv)
	rm -rf $(BUILDDIR)

distclean: clean  ## Remove the build output and the virtual environment
	rm -rf $(VENV) *.egg-info

.PHONY: help venv system-deps html serve test lint check linkcheck migrate-iso2022 release restamp bench clean distclean \
	policy self-assessment example-policy

SIZES ?= 300 1000 3000 10000
bench: $(STAMP) system-deps  ## Benchmark ours / stock / floor builds (SIZES="1000 3000"; BEFORE=<rev> adds a before/after table)
	cd bench && ../$(BIN)/python run.py --sizes "$(SIZES)" $(if $(BEFORE),--before $(BEFORE))
