# fmtdump - build, test, install.  `make help` lists the targets.

SHELL   := /bin/bash -o pipefail
CC      ?= cc
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
BUILD   ?= build
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS_ALL = -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Iengine $(CPPFLAGS)
LIBS     = -lyaml -lz -lm
SHARED  ?= ../shared
PYTHON  ?= python3

ENGINE_SRC = $(sort $(wildcard engine/*.c))
CLI_SRC    = $(sort $(wildcard cli/*.c))
TEST_SRC   = $(sort $(wildcard tests/test_*.c))
TOOL_SRC   = $(sort $(wildcard tests/tool_*.c))

ENGINE_OBJ = $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ    = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN   = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_BIN   = $(TOOL_SRC:tests/tool_%.c=$(BUILD)/tests/%)

# The version lives in include/fmtdump.h only; the soname follows its major number.
version_part = $(shell sed -n 's/^\#define FMTDUMP_VERSION_$(1) *\([0-9][0-9]*\)$$/\1/p' include/fmtdump.h)
VERSION := $(call version_part,MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME  := libfmtdump.so.$(call version_part,MAJOR)
ifeq ($(VERSION),..)
$(error include/fmtdump.h: no FMTDUMP_VERSION_MAJOR/MINOR/PATCH numbers)
endif

SOLIB   = $(BUILD)/libfmtdump.so.$(VERSION)
SOLINKS = $(BUILD)/$(SONAME) $(BUILD)/libfmtdump.so

LIB = $(BUILD)/libfmtdump.a
BIN = $(BUILD)/fmtdump

.PHONY: robust adversarial asan-hostile
.PHONY: all test unit e2e demo install deps corpus conformance kst ksf asan valgrind clang bench fuzz ksc clean help

all: $(LIB) $(BIN)

# Engine objects serve the static and the shared library alike: position
# independent, and hidden unless include/fmtdump.h declares them.
$(ENGINE_OBJ): PIC = -fPIC -fvisibility=hidden

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h engine/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(PIC) $(CFLAGS) -c $< -o $@

$(LIB): $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The shared library is built by default too.
.PHONY: libtest uninstall FORCE
all: $(SOLIB) $(SOLINKS)

$(SOLIB): $(ENGINE_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(SOLINKS): $(SOLIB)
	ln -sf $(notdir $<) $@

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(BUILD)/tests/test_%: tests/test_%.c $(LIB) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS) -lcmocka

$(BUILD)/tests/%: tests/tool_%.c $(LIB) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

# The CLI's parse cache, for every fmtdump the targets below run: in the build
# tree rather than ~/.cache, unless the caller set one.
export FMTDUMP_CACHE ?= $(abspath $(BUILD))/cache

# Unit tests (CMocka, one binary per engine module), end-to-end CLI tests,
# then the libraries: the shared one's exports, the README's example against both.
test: unit e2e libtest

unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; FMTDUMP_SRC=$(CURDIR) $$t; done

e2e: $(BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) sh tests/e2e.sh
	@BUILD=$(BUILD) sh tests/e2e_minidump.sh
	@BUILD=$(BUILD) sh tests/e2e_loader.sh
	@BUILD=$(BUILD) sh tests/e2e_guards.sh
	@BUILD=$(BUILD) sh tests/e2e_html.sh

libtest: $(LIB) $(SOLIB) $(SOLINKS) $(TOOL_BIN)
	@sh tests/check_exports.sh $(BUILD)/libfmtdump.so
	@BUILD=$(BUILD) CC="$(CC)" CFLAGS="$(CFLAGS)" LDFLAGS="$(LDFLAGS)" sh tests/readme_example.sh

# Build and run fmtdump on a generated minidump.
demo: $(BIN) $(TOOL_BIN)
	@mkdir -p $(BUILD)/demo
	$(BUILD)/tests/gen_minidump $(BUILD)/demo/sample.dmp
	$(BIN) $(BUILD)/demo/sample.dmp

# fmtdump.pc names the install location, so it is written for each PREFIX.
$(BUILD)/fmtdump.pc: fmtdump.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' fmtdump.pc.in > $@
FORCE:

# What install puts, relative to DESTDIR; uninstall removes exactly these,
# then the directories among INSTALL_DIRS that are left empty.
FORMATS = $(notdir $(wildcard formats/*.ksy))
INSTALL_FILES = $(PREFIX)/bin/fmtdump $(INCLUDEDIR)/fmtdump.h $(LIBDIR)/libfmtdump.a \
	$(LIBDIR)/libfmtdump.so.$(VERSION) $(LIBDIR)/$(SONAME) $(LIBDIR)/libfmtdump.so \
	$(LIBDIR)/pkgconfig/fmtdump.pc $(MANDIR)/man1/fmtdump.1 \
	$(FORMATS:%=$(PREFIX)/share/fmtdump/formats/%)
INSTALL_DIRS = $(PREFIX)/share/fmtdump/formats $(PREFIX)/share/fmtdump $(MANDIR)/man1 $(MANDIR) \
	$(LIBDIR)/pkgconfig $(LIBDIR) $(INCLUDEDIR) $(PREFIX)/bin $(PREFIX)/share

install: all $(BUILD)/fmtdump.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PREFIX)/share/fmtdump/formats
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/fmtdump
	install -m 644 include/fmtdump.h $(DESTDIR)$(INCLUDEDIR)/fmtdump.h
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libfmtdump.a
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/libfmtdump.so.$(VERSION)
	ln -sf libfmtdump.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libfmtdump.so
	install -m 644 $(BUILD)/fmtdump.pc $(DESTDIR)$(LIBDIR)/pkgconfig/fmtdump.pc
	install -m 644 man/fmtdump.1 $(DESTDIR)$(MANDIR)/man1/fmtdump.1
	install -m 644 formats/*.ksy $(DESTDIR)$(PREFIX)/share/fmtdump/formats/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	rmdir $(addprefix $(DESTDIR),$(INSTALL_DIRS)) 2>/dev/null || true

# Build dependencies from Debian: installs them when root, otherwise names them.
DEPS = make gcc libc6-dev libyaml-dev libcmocka-dev zlib1g-dev python3 python3-yaml
deps:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEPS); \
	else echo "as root, run: apt-get install $(DEPS)"; fi

# Every dump of ../shared/corpus checked against its catalog.json facts.
corpus: $(BIN) $(TOOL_BIN)
	@if [ -d $(SHARED)/corpus ]; then rc=0; \
		$(PYTHON) tests/corpus_check.py --fmtdump $(BIN) --shared $(SHARED) || rc=1; \
		$(PYTHON) tests/groundtruth_check.py --fmtdump $(BIN) --shared $(SHARED) || rc=1; \
		$(PYTHON) tests/spans_check.py --fmtdump $(BIN) --corpus $(SHARED)/corpus || rc=1; \
		find $(SHARED)/corpus/dumps -type f -print0 | xargs -0 $(BUILD)/tests/flatcheck --sweep \
			formats/windows_minidump.ksy || rc=1; \
		exit $$rc; \
	else echo "corpus: $(SHARED)/corpus absent, skipped"; fi

# The official Kaitai compiler (npm) must accept the reference description; skipped offline.
ksc:
	@sh tests/ksc_check.sh formats/windows_minidump.ksy

# The Kaitai Struct conformance suite, the public-format comparison and a
# load of every public description; each fails the build when a case fails.
conformance: kst ksf
kst: $(BIN) $(TOOL_BIN)
	@if [ -d $(SHARED)/kst ]; then $(PYTHON) $(SHARED)/kst/run.py --fmtdump $(BIN) | tail -n 3 && \
		$(PYTHON) tests/flatcheck_all.py --flatcheck $(BUILD)/tests/flatcheck --kst $(SHARED)/kst --sweep; \
	else echo "kst: $(SHARED)/kst absent, skipped"; fi
ksf: $(BIN) $(TOOL_BIN)
	@if [ -d $(SHARED)/ksf ]; then $(PYTHON) $(SHARED)/ksf/compare.py --fmtdump $(BIN) | tail -n 3 && \
		$(PYTHON) tests/flatcheck_all.py --flatcheck $(BUILD)/tests/flatcheck --ksf $(SHARED)/ksf --sweep && \
		$(PYTHON) tests/ksf_load_all.py --fmtdump $(BIN) --formats $(SHARED)/ksf/formats && \
		$(PYTHON) tests/spans_check.py --fmtdump $(BIN) --ksf $(SHARED)/ksf; \
	else echo "ksf: $(SHARED)/ksf absent, skipped"; fi

# Sanitizer build (ASan + UBSan) running the whole test suite.
ASAN_MAKE = $(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined"
asan:
	$(ASAN_MAKE) test

# The robustness and adversarial scripts on the sanitizer build (CI runs it).
asan-hostile:
	$(ASAN_MAKE) robust adversarial

# ThreadSanitizer: one spec shared by 8 threads parsing, evaluating and writing
# generated dumps (tests/tsan_threads.c); any race report fails the target.
# Everything it builds lives in build-tsan/.
.PHONY: tsan
TSAN_VARIANTS = basic amd64 be truncated loop mem64 overlap misc24 padded many-ranges
TSAN_FLAGS = -O1 -g -fsanitize=thread -fno-omit-frame-pointer
tsan:
	$(MAKE) BUILD=build-tsan OPT="$(TSAN_FLAGS)" LDFLAGS="-fsanitize=thread" build-tsan/libfmtdump.a build-tsan/tests/gen_minidump
	@mkdir -p build-tsan/dumps
	@set -e; for v in $(TSAN_VARIANTS); do build-tsan/tests/gen_minidump build-tsan/dumps/$$v.dmp --variant $$v; done
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(TSAN_FLAGS) tests/tsan_threads.c build-tsan/libfmtdump.a $(LIBS) -lpthread \
		-fsanitize=thread -o build-tsan/tsan_threads
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" build-tsan/tsan_threads \
		formats/windows_minidump.ksy $(TSAN_VARIANTS:%=build-tsan/dumps/%.dmp)

# The unit tests and the CLI on generated dumps under valgrind's memcheck.
VALGRIND = valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
	--suppressions=tests/valgrind.supp
valgrind: $(TEST_BIN) $(BIN) $(TOOL_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== valgrind $$t"; FMTDUMP_SRC=$(CURDIR) $(VALGRIND) $$t >/dev/null; done
	@mkdir -p $(BUILD)/valgrind
	@set -e; for v in basic amd64 be truncated hugecount loop mem64; do \
		$(BUILD)/tests/gen_minidump $(BUILD)/valgrind/$$v.dmp --variant $$v; \
		for o in text json yaml; do $(VALGRIND) $(BIN) -o $$o $(BUILD)/valgrind/$$v.dmp >/dev/null 2>&1 || \
			[ $$? -eq 1 ] || { echo "valgrind: fmtdump -o $$o $$v.dmp"; exit 1; }; done; done
	@echo "valgrind: clean"

clang:
	$(MAKE) BUILD=build-clang CC=clang all

# libFuzzer targets (clang): minidumps, descriptions, expressions; FUZZ_SECONDS each,
# or exactly FUZZ_RUNS inputs from seed FUZZ_SEED (a repeatable run, as CI does).
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_SEED ?= 0
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED),-max_total_time=$(FUZZ_SECONDS))
FUZZ_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" build-fuzz/libfmtdump.a build-fuzz/tests/gen_minidump
	@mkdir -p build-fuzz/corpus/dump build-fuzz/corpus/ksy build-fuzz/corpus/expr
	@for v in basic amd64 padded misc24 mem64 truncated loop overlap be; do \
		build-fuzz/tests/gen_minidump build-fuzz/corpus/dump/$$v.dmp --variant $$v; done
	@build-fuzz/tests/gen_minidump build-fuzz/corpus/dump/many-ranges.dmp --variant many-ranges --count 64
	@cp formats/*.ksy tests/fixtures/*.ksy build-fuzz/corpus/ksy/
	@printf 'items[1].v == colors::green' > build-fuzz/corpus/expr/1
	@printf "name.reverse + 'x' + n.to_s" > build-fuzz/corpus/expr/2
	@for t in dump ksy expr; do \
		clang $(CPPFLAGS_ALL) $(FUZZ_FLAGS) -fsanitize=fuzzer tests/fuzz_$$t.c build-fuzz/libfmtdump.a $(LIBS) -o build-fuzz/fuzz_$$t || exit 1; \
		echo "== fuzz_$$t ($(FUZZ_LIMIT))"; \
		build-fuzz/fuzz_$$t $(FUZZ_LIMIT) -rss_limit_mb=2048 -print_final_stats=1 build-fuzz/corpus/$$t 2>&1 | \
			grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || exit 1; \
	done

# Every prefix and 10,000 seeded mutants of generated (and corpus) dumps within 2 s / 256 MiB each.
robust: $(BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) sh tests/robust.sh

# Hostile inputs and descriptions, each measured against 2 s / 256 MiB / bounded output (not in `test`).
adversarial: $(BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) sh tests/adversarial.sh

bench: $(BIN) $(TOOL_BIN)
	@SHARED=$(SHARED) sh tests/bench.sh $(BUILD)

clean:
	rm -rf build build-asan build-clang build-fuzz

help:
	@echo "targets: all test unit e2e libtest demo install uninstall deps corpus conformance kst ksf asan valgrind clang bench fuzz ksc clean help"
