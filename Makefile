# SPDX-License-Identifier: BSD-2-Clause
# lskel: `make` builds build/bin/lskel, `make check` runs every test, `make demo` shows it.
# The rules live in mk/, one file per concern, read in this order (later files use the
# variables of earlier ones):
#   mk/build.mk    toolchain, flags, target arch, the gen_loader library, lskel, lskel-run
#   mk/samples.mk  BPF objects and the skeletons generated from them
#   mk/tests.mk    test binaries, "header compiles alone" checks, the layout check, `check`
#   mk/golden.mk   golden dumps: their inputs (declared once) and `golden`
#   mk/vm.mk       `check-vm`: the tests and the portability matrix on Debian's 6.1 in QEMU
#   mk/bench.mk    `bench`
#   mk/fuzz.mk     `fuzz`, `fuzz-ci`, `fuzz-seeds`

CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PREFIX   ?= /usr/local
BUILD    ?= build
SAN      ?=

.PHONY: all check demo deps install clean samples bench golden fuzz fuzz-seeds fuzz-ci valgrind \
	check-vm layout

all: $(BUILD)/bin/lskel $(BUILD)/bin/lskel-run samples

include mk/build.mk
include mk/samples.mk
include mk/tests.mk
include mk/golden.mk
include mk/vm.mk
include mk/bench.mk
include mk/fuzz.mk

deps:
	scripts/install-deps.sh

DEMO := $(BUILD)/demo/counter
$(DEMO): samples/demo/counter.c $(BUILD)/skel/tp_counter.lskel.h $(wildcard include/lskel/*.h)
	mkdir -p $(BUILD)/demo
	$(CC) -O2 -Wall -Werror -Iinclude -I$(BUILD)/skel $< -o $@

# The main job first: a light skeleton generated, a small C program compiled against it,
# loaded through its loader program and working; then the trace and a user-space replay.
demo: deps
	$(MAKE) all
	@echo "== lskel gen: light skeleton of samples/tp_counter.bpf.c (a getpid() counter)"
	$(BUILD)/bin/lskel gen -n tp_counter -o $(BUILD)/skel/tp_counter.lskel.h \
		$(BUILD)/samples/tp_counter.bpf.o
	@echo "== cc samples/demo/counter.c: a small program using it (no libbpf, no -lz)"
	$(MAKE) --no-print-directory $(DEMO)
	@echo "== run it: the loader program loads everything, the counter moves"
	$(DEMO)
	@echo "== lskel dump $(BUILD)/samples/tp_counter.bpf.o (trace only)"
	$(BUILD)/bin/lskel dump --trace $(BUILD)/samples/tp_counter.bpf.o
	@echo "== lskel exec: replay the trace with bpf() and list what it created"
	$(BUILD)/bin/lskel exec $(BUILD)/samples/tp_counter.bpf.o $(BUILD)/samples/xdp_tail.bpf.o

install: $(BUILD)/bin/lskel $(BUILD)/bin/lskel-run
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/lskel \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 $(BUILD)/bin/lskel $(BUILD)/bin/lskel-run $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 include/lskel/*.h $(DESTDIR)$(PREFIX)/include/lskel/
	sed -e 's|@PREFIX@|$(PREFIX)|' lskel.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/lskel.pc

clean:
	rm -rf $(BUILD)
