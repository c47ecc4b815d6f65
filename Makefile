# relcon - see README.md.  Quick start: `make demo`, `make check`.
.SUFFIXES:
# Keep the objects of test programs (make deletes intermediates otherwise).
.SECONDARY:

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
# Where `make install` puts things (all under DESTDIR).  DATADIR is also
# compiled in: the binary looks for its themes in DATADIR/themes.
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share/relcon
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
PKGS     = ncursesw libcurl libcrypto json-c yaml-0.1 libxml-2.0
VERSION  = 0.1.0
# VARIANT selects a build tree: release (default) or asan.
VARIANT ?= release
WERROR  ?=
B        = build/$(VARIANT)

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wwrite-strings -Wundef
ifeq ($(VARIANT),asan)
OPT  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
OPT  = -O2 -g
endif
PKG_CFLAGS := $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DNCURSES_WIDECHAR=1 \
             -DRELCON_VERSION='"$(VERSION)"' -DRELCON_DATADIR='"$(DATADIR)"' -I. $(PKG_CFLAGS) $(WARN) $(if $(WERROR),-Werror) \
             $(OPT) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(OPT) $(LDFLAGS)

LIB_SRC  = $(sort $(wildcard core/*.c buildkite/*.c aws/*.c release/*.c tui/*.c views/*.c cli/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC = $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

all: relcon

relcon: $(B)/relcon
	@if [ "$(VARIANT)" = release ]; then cp $(B)/relcon relcon.new && mv -f relcon.new relcon; fi

$(B)/relcon: $(B)/main.o $(B)/librelcon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(B)/main.o $(B)/librelcon.a $(PKG_LIBS) -lm

$(B)/librelcon.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# What uses the compiled-in DATADIR is rebuilt when PREFIX or DATADIR
# changes (`make && make install PREFIX=/usr` must not install a binary that
# looks in /usr/local).  The file changes only when the value does.
$(B)/datadir: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(B)/core/config.o $(B)/cli/info.o: $(B)/datadir

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/librelcon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/librelcon.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm -pthread

tests: $(TEST_BIN) $(B)/relcon $(B)/relcon-faulting

# A test build: relcon with real faults on SIGUSR1/SIGUSR2 (tests/crash/).
$(B)/relcon-faulting: $(B)/main.o $(B)/tests/crash/fault_hook.o $(B)/librelcon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(B)/main.o $(B)/tests/crash/fault_hook.o $(B)/librelcon.a $(PKG_LIBS) -lm

# deps: install what is missing (Debian packages as root, else print the command).
deps:
	@sh scripts/deps.sh

# check: everything, warnings as errors, then the whole suite again under ASan+UBSan.
check: deps
	@$(MAKE) --no-print-directory layering
	@$(MAKE) --no-print-directory WERROR=1 VARIANT=release tests relcon
	@$(MAKE) --no-print-directory WERROR=1 VARIANT=asan tests
	@sh tests/run.sh build/release build/asan

asan:
	@$(MAKE) --no-print-directory VARIANT=asan tests

# bench: the performance figures of docs/performance.md (not part of check):
# its own sandboxes, about 5 minutes; BENCH_RUNS, BENCH_IDLE_SECONDS shorten it.
bench: deps
	@$(MAKE) --no-print-directory VARIANT=release relcon
	@python3 tests/bench/bench.py

# valgrind: every headless integration test and the scripted console (or
# VALGRIND_TESTS: test modules, "ui") with each run of relcon under
# memcheck: the release build (-O2 -g; ASan builds cannot run under
# valgrind), on a sandbox of its own.
VALGRIND_TESTS ?=
valgrind: deps
	@$(MAKE) --no-print-directory WERROR=1 VARIANT=release relcon
	@sh tests/valgrind.sh build/release/relcon $(VALGRIND_TESTS)

demo: deps
	@$(MAKE) --no-print-directory relcon
	@sh sandbox/demo.sh

layering:
	@sh scripts/check-layering.sh

# fuzz: the libFuzzer targets of tests/fuzz/ (clang; see tests/fuzz/README.md),
# each run FUZZ_SECONDS on a copy of its corpus, then a table of executions.
# The library is built again with clang into build/fuzz (its own tree).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?=
FUZZ_RESULTS ?=
FUZZ_B        = build/fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = $(filter-out $(OPT) -MMD -MP -Werror,$(ALL_CFLAGS)) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -MMD -MP
FUZZ_LIB_OBJ  = $(LIB_SRC:%.c=$(FUZZ_B)/%.o)
FUZZ_SRC      = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN      = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)

fuzz: fuzz-build
	@FUZZ_JOBS='$(FUZZ_JOBS)' FUZZ_RESULTS='$(FUZZ_RESULTS)' sh tests/fuzz/run.sh $(FUZZ_B) '$(FUZZ_SECONDS)'

fuzz-build: $(FUZZ_BIN)

$(FUZZ_B)/librelcon.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(FUZZ_LIB_OBJ)

$(FUZZ_B)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/tests/fuzz/fuzz_%.o $(FUZZ_B)/librelcon.a
	$(FUZZ_CC) $(filter-out $(OPT),$(ALL_LDFLAGS)) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_B)/librelcon.a $(PKG_LIBS) -lm

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_SRC:%.c=$(FUZZ_B)/%.d)

# The flags reach the script through the environment, untouched by a shell.
compile_commands.json: export RELCON_CC_CMD = $(CC) $(ALL_CFLAGS)
compile_commands.json: scripts/compile-commands.sh $(LIB_SRC) main.c
	@sh scripts/compile-commands.sh > $@

# Man pages and shell completions are generated from the binary's own
# help, key table and configuration keys (scripts/manpages.sh,
# scripts/completions.sh), with the prose of docs/*.in.
man: build/man/.stamp
build/man/.stamp: $(B)/relcon docs/relcon.1.in docs/relcon-config.5.in scripts/manpages.sh
	sh scripts/manpages.sh $(B)/relcon build/man '$(DATADIR)'
	@touch $@

completions: build/completions/.stamp
build/completions/.stamp: $(B)/relcon scripts/completions.sh
	sh scripts/completions.sh $(B)/relcon build/completions
	@touch $@

# install: the release build (`make && make install PREFIX=/usr DESTDIR=...`).
install: relcon man completions
	@[ "$(VARIANT)" = release ] || { echo "install: installs the release build; run it without VARIANT" >&2; exit 2; }
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(DATADIR)/themes' '$(DESTDIR)$(MANDIR)/man1' \
		'$(DESTDIR)$(MANDIR)/man5' '$(DESTDIR)$(BASHCOMPDIR)' '$(DESTDIR)$(ZSHCOMPDIR)' '$(DESTDIR)$(FISHCOMPDIR)'
	install -m 0755 relcon '$(DESTDIR)$(BINDIR)/relcon'
	install -m 0644 themes/*.yaml '$(DESTDIR)$(DATADIR)/themes/'
	install -m 0644 build/man/relcon.1 '$(DESTDIR)$(MANDIR)/man1/relcon.1'
	install -m 0644 build/man/relcon-config.5 '$(DESTDIR)$(MANDIR)/man5/relcon-config.5'
	install -m 0644 build/completions/relcon.bash '$(DESTDIR)$(BASHCOMPDIR)/relcon'
	install -m 0644 build/completions/_relcon '$(DESTDIR)$(ZSHCOMPDIR)/_relcon'
	install -m 0644 build/completions/relcon.fish '$(DESTDIR)$(FISHCOMPDIR)/relcon.fish'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/relcon' '$(DESTDIR)$(MANDIR)/man1/relcon.1' \
		'$(DESTDIR)$(MANDIR)/man5/relcon-config.5' '$(DESTDIR)$(BASHCOMPDIR)/relcon' \
		'$(DESTDIR)$(ZSHCOMPDIR)/_relcon' '$(DESTDIR)$(FISHCOMPDIR)/relcon.fish'
	for t in themes/*.yaml; do rm -f "$(DESTDIR)$(DATADIR)/themes/$${t#themes/}"; done
	-rmdir '$(DESTDIR)$(DATADIR)/themes' '$(DESTDIR)$(DATADIR)' 2>/dev/null

clean:
	rm -rf build relcon compile_commands.json

FORCE:

.PHONY: all relcon tests deps check asan bench valgrind demo layering fuzz fuzz-build man completions install uninstall clean FORCE

-include $(LIB_OBJ:.o=.d) $(B)/main.d $(TEST_SRC:tests/unit/%.c=$(B)/tests/unit/%.d)
