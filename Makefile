# SPDX-License-Identifier: BSD-2-Clause
# lskel: `make` builds build/bin/lskel, `make check` runs every test, `make demo` shows it.

CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PREFIX   ?= /usr/local
BUILD    ?= build
SAN      ?=

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Iinclude -Igen_loader
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif
LIBS     := -lbpf -lelf -lz -lcrypto

GEN_SRCS := $(filter-out gen_loader/lskel.c,$(wildcard gen_loader/*.c))
GEN_OBJS := $(patsubst gen_loader/%.c,$(BUILD)/obj/%.o,$(GEN_SRCS))
GEN_LIB  := $(BUILD)/libgen_loader.a

SAMPLE_SRCS := $(wildcard samples/*.bpf.c)
SAMPLE_OBJS := $(patsubst samples/%.bpf.c,$(BUILD)/samples/%.bpf.o,$(SAMPLE_SRCS))
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) -Isamples -Wall -Werror \
	       -fdebug-prefix-map=$(CURDIR)=. -fdebug-prefix-map=$(BUILD)/=build/ \
	       -Wno-unused-function

TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(patsubst tests/bpf/%.bpf.c,$(BUILD)/tests/bpf/%.bpf.o,$(TEST_BPF_SRCS))

REFUSED_OBJS := $(BUILD)/samples/refused/trampolines.bpf.o
CHAIN_SRCS := $(wildcard samples/chain/*.bpf.c)
CHAIN_OBJS := $(patsubst samples/chain/%.bpf.c,$(BUILD)/samples/chain/%.bpf.o,$(CHAIN_SRCS))
CH := $(BUILD)/samples/chain
# Generated dispatcher sample (samples/dispatch/dsp.spec): four components and a library.
DSP := $(BUILD)/samples/dispatch
DSP_OBJS := $(DSP)/dsp_parse.bpf.o $(DSP)/dsp_filter.bpf.o $(DSP)/dsp_count.bpf.o \
	    $(DSP)/dsp_verdict.bpf.o $(DSP)/dsp_lib.bpf.o $(DSP)/tc_gate.bpf.o
DSP_HDRS := $(BUILD)/skel/dsp_static.lskel.h $(BUILD)/skel/dsp_tailcall.lskel.h \
	    $(BUILD)/skel/dsp_freplace.lskel.h
PIPE_OBJS := $(CH)/pipe_a.bpf.o $(CH)/pipe_b.bpf.o $(CH)/pipe_c.bpf.o
DISPATCH_OBJS := $(CH)/disp_root.bpf.o $(CH)/comp_parse.bpf.o $(CH)/comp_filter.bpf.o \
		 $(CH)/comp_count.bpf.o
XDISP_OBJS := $(CH)/xdisp_root.bpf.o $(CH)/xdisp_comp_a.bpf.o $(CH)/xdisp_comp_b.bpf.o
CHAIN_HDRS := $(BUILD)/skel/pipe.lskel.h $(BUILD)/skel/dispatch.lskel.h $(BUILD)/skel/xdisp.lskel.h

SKEL_HDRS := $(patsubst samples/%.bpf.c,$(BUILD)/skel/%.lskel.h,$(SAMPLE_SRCS))
SKEL_NAMES := $(patsubst samples/%.bpf.c,%,$(SAMPLE_SRCS))
SKEL_TESTS := $(patsubst %,$(BUILD)/tests/skel_%,$(SKEL_NAMES))
HDR_CHECKS := $(patsubst %,$(BUILD)/skel/%.c11.ok,$(SKEL_NAMES) dsp_static dsp_tailcall) \
	      $(patsubst %,$(BUILD)/skel/%.cxx17.ok,$(SKEL_NAMES) dsp_static dsp_tailcall)

# struct_ops congestion controls (tests/test_struct_ops.c): plain and .struct_ops.link.
ST_OPS_NAMES := cc_plain cc_link cc_two umulti kprobes_refused
ST_OPS_SKELS := $(patsubst %,$(BUILD)/skel/%.lskel.h,$(ST_OPS_NAMES))
HDR_CHECKS += $(patsubst %,$(BUILD)/skel/%.c11.ok,$(ST_OPS_NAMES) sched_simple) \
	      $(patsubst %,$(BUILD)/skel/%.cxx17.ok,$(ST_OPS_NAMES) sched_simple)
# A sched_ext scheduler (no kernel here has sched_ext): golden trace and loader.
SCHED_OBJ := $(BUILD)/samples/refused/sched_simple.bpf.o

TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(wildcard tests/helpers/*.c)

.PHONY: all check demo deps install clean samples bench golden fuzz fuzz-seeds fuzz-ci valgrind \
	check-vm

# lskel-run: static, no libbpf/libelf/zlib. musl keeps it under 64 KiB; glibc -static works too.
STATIC_CC ?= $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
RUN_CFLAGS := -static -fno-pie -no-pie -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	      -Wall -Wextra -Werror -Iinclude -idirafter /usr/include \
	      -idirafter /usr/include/$(shell $(CC) -dumpmachine)
# kprobe.multi and ksyscall attach stay out of it (lskel/attach_multi.h): size
RUN_CFLAGS += -DLSKEL_RUN_SMALL
RUN_LDFLAGS := -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,--build-id=none -s

BENCH_DIR := $(BUILD)/bench
CHAIN64_DIR := $(BUILD)/chain64
CHAIN64_NAMES := $(shell i=0; while [ $$i -lt 64 ]; do printf 'link%02d ' $$i; i=$$((i+1)); done)
CHAIN64_OBJS := $(patsubst %,$(CHAIN64_DIR)/%.bpf.o,$(CHAIN64_NAMES))
SCALE_OBJS := $(BENCH_DIR)/scale10.bpf.o $(BENCH_DIR)/scale100.bpf.o $(BENCH_DIR)/scale1000.bpf.o
all: $(BUILD)/bin/lskel $(BUILD)/bin/lskel-run samples

$(BUILD)/bin/lskel-run: runtime/lskel_run.c $(wildcard include/lskel/*.h) | $(BUILD)/bin
	$(STATIC_CC) $(RUN_CFLAGS) $< $(RUN_LDFLAGS) -o $@

deps:
	scripts/install-deps.sh

$(BUILD)/obj/%.o: gen_loader/%.c $(wildcard gen_loader/*.h include/lskel/*.h) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(GEN_LIB): $(GEN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/lskel: gen_loader/lskel.c $(GEN_LIB) | $(BUILD)/bin
	$(CC) $(CFLAGS) $< $(GEN_LIB) $(LDFLAGS) $(LIBS) -o $@

$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

samples: $(SAMPLE_OBJS) $(CHAIN_OBJS) $(REFUSED_OBJS) $(DSP_OBJS)
$(DSP)/%.bpf.o: samples/dispatch/%.bpf.c $(BUILD)/vmlinux.h $(wildcard samples/dispatch/*.h) | $(DSP)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/skel/dsp_%.lskel.h: $(DSP_OBJS) samples/dispatch/dsp.spec $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n dsp_$* --dispatcher samples/dispatch/dsp.spec --mode $* -o $@ \
		$(filter-out $(DSP)/tc_gate.bpf.o,$(DSP_OBJS))
$(BUILD)/skel/dsp_twice.lskel.h: $(DSP_OBJS) samples/dispatch/twice.spec $(BUILD)/bin/lskel \
	| $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n dsp_twice --dispatcher samples/dispatch/twice.spec -o $@ \
		$(DSP)/dsp_count.bpf.o
$(BUILD)/skel/dsp_tc.lskel.h: $(DSP_OBJS) samples/dispatch/tc.spec $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n dsp_tc --dispatcher samples/dispatch/tc.spec -o $@ \
		$(DSP)/tc_gate.bpf.o
$(BUILD)/skel/nest.lskel.h: $(DSP_OBJS) $(TEST_BPF_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n nest -o $@ $(BUILD)/tests/bpf/nest_outer.bpf.o \
		$(DSP)/dsp_count.bpf.o $(BUILD)/tests/bpf/nest_root.bpf.o
$(BUILD)/tests/test_dispatch: $(DSP_HDRS) $(DSP_OBJS) $(BUILD)/skel/dsp_twice.lskel.h \
	$(BUILD)/skel/nest.lskel.h $(BUILD)/skel/dsp_tc.lskel.h
$(BUILD)/tests/test_golden: $(DSP_OBJS)
$(BUILD)/samples/refused/%.bpf.o: samples/refused/%.bpf.c $(BUILD)/vmlinux.h | $(BUILD)/samples/refused
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(CH)/%.bpf.o: samples/chain/%.bpf.c $(BUILD)/vmlinux.h $(wildcard samples/chain/*.h) | $(CH)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/samples/%.bpf.o: samples/%.bpf.c $(BUILD)/vmlinux.h $(wildcard samples/*.h) | $(BUILD)/samples
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(TEST_HELPERS) $(wildcard tests/helpers/*.h) $(GEN_LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/helpers -I$(BUILD)/skel $< $(TEST_HELPERS) $(GEN_LIB) $(LDFLAGS) \
		$(LIBS) -lcmocka -lpthread -o $@

$(BUILD)/skel/%.lskel.h: $(BUILD)/samples/%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n $* -o $@ $<

# Every generated header compiles on its own as C11 and as C++17, warnings as errors.
$(BUILD)/skel/%.c11.ok: $(BUILD)/skel/%.lskel.h
	printf '#include "%s.lskel.h"\n' $* | $(CC) -std=c11 -O2 -Wall -Wextra -Werror -pedantic \
		-Wno-overlength-strings -Iinclude -I$(BUILD)/skel -x c -c - -o /dev/null && touch $@
$(BUILD)/skel/%.cxx17.ok: $(BUILD)/skel/%.lskel.h
	printf '#include "%s.lskel.h"\n' $* | $(CXX) -std=c++17 -O2 -Wall -Wextra -Werror \
		-Iinclude -I$(BUILD)/skel -x c++ -c - -o /dev/null && touch $@

# One differential/fault test binary per sample skeleton (tests/skel_test.c).
$(BUILD)/tests/skel_%: tests/skel_test.c $(BUILD)/skel/%.lskel.h $(TEST_HELPERS) $(GEN_LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/helpers -I$(BUILD)/skel -DSKEL=$* -DSKEL_HDR='"$*.lskel.h"' \
		$< $(TEST_HELPERS) $(GEN_LIB) $(LDFLAGS) $(LIBS) -lcmocka -o $@

$(BUILD)/tests/test_behaviour: $(SKEL_HDRS)
$(BUILD)/tests/test_lskel_run: $(BUILD)/bin/lskel-run $(BUILD)/skel/net_count.lskel
$(BUILD)/skel/net_count.lskel: $(BUILD)/samples/net_count.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen --format blob -n net_count -o $@ $<
$(BUILD)/tests/test_attach: $(SKEL_HDRS) $(BUILD)/skel/trampolines.lskel.h
$(BUILD)/skel/trampolines.lskel.h: $(REFUSED_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n trampolines -o $@ $(REFUSED_OBJS)
# kprobe/kretprobe auto-attach (no kprobes here: runs in the 6.1 guest, make check-vm)
$(BUILD)/tests/test_attach: $(BUILD)/skel/kprobes.lskel.h
$(BUILD)/skel/kprobes.lskel.h: $(BUILD)/samples/refused/kprobes.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n kprobes -o $@ $<
$(BUILD)/tests/test_chain: $(CHAIN_HDRS) $(TEST_BPF_OBJS)
$(BUILD)/tests/test_struct_ops: $(ST_OPS_SKELS) $(SCHED_OBJ)
$(BUILD)/tests/test_multi_attach: $(BUILD)/skel/umulti.lskel.h $(BUILD)/skel/kprobes_refused.lskel.h
$(BUILD)/skel/umulti.lskel.h $(BUILD)/skel/kprobes_refused.lskel.h: $(BUILD)/skel/%.lskel.h: \
		$(BUILD)/tests/bpf/%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n $* -o $@ $<
$(BUILD)/skel/sched_simple.lskel.h: $(SCHED_OBJ) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n sched_simple -o $@ $<
$(BUILD)/skel/cc_%.lskel.h: $(BUILD)/tests/bpf/cc_%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n cc_$* -o $@ $<
# Kfuncs shared by two objects (module BTF fds: one per symbol per load, tests/test_modbtf.c).
CT_OBJS := $(BUILD)/samples/ct_lookup.bpf.o $(BUILD)/tests/bpf/ct_other.bpf.o
$(BUILD)/tests/test_modbtf: $(BUILD)/skel/ct_chain.lskel.h
$(BUILD)/tests/test_golden: $(CT_OBJS)
$(BUILD)/skel/ct_chain.lskel.h: $(CT_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n ct_chain -o $@ $(CT_OBJS)
$(BUILD)/skel/pipe.lskel.h: $(PIPE_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n pipe -o $@ $(PIPE_OBJS)
$(BUILD)/skel/dispatch.lskel.h: $(DISPATCH_OBJS) samples/chain/dispatch.chain $(BUILD)/bin/lskel
	$(BUILD)/bin/lskel gen -n dispatch --chain samples/chain/dispatch.chain -o $@ $(DISPATCH_OBJS)
$(BUILD)/skel/xdisp.lskel.h: $(XDISP_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n xdisp -o $@ $(XDISP_OBJS)
PIN_SKELS := $(BUILD)/skel/pinned.lskel.h $(BUILD)/skel/pinned_other.lskel.h $(BUILD)/skel/pinned.lskel
$(BUILD)/tests/test_pinning: $(PIN_SKELS) $(BUILD)/tests/bpf/pinned.bpf.o $(BUILD)/bin/lskel-run
$(BUILD)/skel/pinned.lskel.h: $(BUILD)/tests/bpf/pinned.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n pinned -o $@ $<
$(BUILD)/skel/pinned_other.lskel.h: $(BUILD)/tests/bpf/pinned_other.bpf.o $(BUILD)/bin/lskel \
	| $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n pinned_other -o $@ $<
$(BUILD)/skel/pinned.lskel: $(BUILD)/tests/bpf/pinned.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen --format blob -n pinned -o $@ $<
# Signed loaders (tests/test_signing.c): a throw-away RSA key and self-signed certificate,
# and a second one that signed nothing.
SIGN_DIR := $(BUILD)/sign
SIGN := --sign --key $(SIGN_DIR)/key.pem --cert $(SIGN_DIR)/cert.pem
$(SIGN_DIR)/cert.pem:
	mkdir -p $(SIGN_DIR)
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=lskel test signer" -days 3650 \
		-keyout $(SIGN_DIR)/key.pem -out $@ 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=someone else" -days 3650 \
		-keyout $(SIGN_DIR)/other.key -out $(SIGN_DIR)/other.pem 2>/dev/null
$(BUILD)/skel/signed_tp.lskel.h: $(BUILD)/samples/tp_counter.bpf.o $(SIGN_DIR)/cert.pem \
	$(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen $(SIGN) -n signed_tp -o $@ $<
$(BUILD)/skel/signed_net.lskel.h: $(BUILD)/samples/net_count.bpf.o $(SIGN_DIR)/cert.pem \
	$(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen $(SIGN) -n signed_net -o $@ $<
$(BUILD)/tests/test_signing: $(BUILD)/skel/signed_tp.lskel.h $(BUILD)/skel/signed_net.lskel.h \
	$(BUILD)/skel/tp_counter.lskel.h $(BUILD)/bin/lskel-run
$(BUILD)/tests/test_sign_golden: $(BUILD)/skel/signed_tp.lskel.h
# Subskeletons (tests/test_subskel.c): a library linked into two programs by libbpf's static
# linker (bpftool gen object); skeletons and the subskeleton made with bpftool's syntax.
SUB_DIR := $(BUILD)/tests/subskel
$(SUB_DIR)/%.bpf.o: tests/subskel/%.bpf.c $(BUILD)/vmlinux.h
	mkdir -p $(SUB_DIR)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(SUB_DIR)/sublib_v2.bpf.o: tests/subskel/sublib.bpf.c $(BUILD)/vmlinux.h
	mkdir -p $(SUB_DIR)
	$(CLANG) $(BPF_CFLAGS) -DLIB_V2 -c $< -o $@
$(SUB_DIR)/final_a.o: $(SUB_DIR)/sub_a.bpf.o $(SUB_DIR)/sublib.bpf.o
	$(BPFTOOL) gen object $@ $^
$(SUB_DIR)/final_b.o: $(SUB_DIR)/sublib.bpf.o $(SUB_DIR)/sub_b.bpf.o
	$(BPFTOOL) gen object $@ $^
$(SUB_DIR)/final_v2.o: $(SUB_DIR)/sub_a.bpf.o $(SUB_DIR)/sublib_v2.bpf.o
	$(BPFTOOL) gen object $@ $^
$(BUILD)/skel/sub_%.lskel.h: $(SUB_DIR)/final_%.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen skeleton -L $< name sub_$* > $@.tmp && mv $@.tmp $@
$(BUILD)/skel/subchain.lskel.h: $(SUB_DIR)/final_a.o $(SUB_DIR)/final_b.o $(BUILD)/bin/lskel
	$(BUILD)/bin/lskel gen -n subchain -o $@ $(SUB_DIR)/final_a.o $(SUB_DIR)/final_b.o
$(BUILD)/skel/sublib.subskel.h: $(SUB_DIR)/sublib.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen subskeleton $< name sublib > $@.tmp && mv $@.tmp $@
$(BUILD)/skel/sublib.subskel.ok: $(BUILD)/skel/sublib.subskel.h
	printf '#include "sublib.subskel.h"\n' | $(CC) -std=c11 -O2 -Wall -Wextra -Werror -pedantic \
		-Iinclude -I$(BUILD)/skel -x c -c - -o /dev/null
	printf '#include "sublib.subskel.h"\n' | $(CXX) -std=c++17 -O2 -Wall -Wextra -Werror \
		-Iinclude -I$(BUILD)/skel -x c++ -c - -o /dev/null && touch $@
$(BUILD)/tests/test_subskel: tests/test_subskel.c tests/subskel/lib_user.c tests/subskel/lib_user.h \
	$(BUILD)/skel/sub_a.lskel.h $(BUILD)/skel/sub_b.lskel.h $(BUILD)/skel/sub_v2.lskel.h \
	$(BUILD)/skel/subchain.lskel.h \
	$(BUILD)/skel/sublib.subskel.ok $(TEST_HELPERS) $(GEN_LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/helpers -Itests/subskel -I$(BUILD)/skel $< tests/subskel/lib_user.c \
		$(TEST_HELPERS) $(GEN_LIB) $(LDFLAGS) $(LIBS) -lcmocka -lpthread -o $@
# Extern functions across objects (tests/test_link.c).
LINK_DIR := $(BUILD)/tests/link
LINK_OBJS := $(patsubst tests/link/%.bpf.c,$(LINK_DIR)/%.bpf.o,$(wildcard tests/link/*.bpf.c))
$(LINK_DIR)/%.bpf.o: tests/link/%.bpf.c $(BUILD)/vmlinux.h
	mkdir -p $(LINK_DIR)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/skel/extlink.lskel.h: $(LINK_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n extlink -o $@ $(LINK_DIR)/ext_caller_a.bpf.o \
		$(LINK_DIR)/ext_caller_b.bpf.o $(LINK_DIR)/ext_lib.bpf.o
$(BUILD)/skel/dynlink.lskel.h: $(LINK_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n dynlink --dynamic ext_lib -o $@ $(LINK_DIR)/ext_caller_a.bpf.o \
		$(LINK_DIR)/ext_lib.bpf.o
$(BUILD)/tests/test_link: $(BUILD)/skel/extlink.lskel.h $(BUILD)/skel/dynlink.lskel.h $(LINK_OBJS)
$(BUILD)/tests/test_golden: $(LINK_OBJS)
# The runtime (and the generator on two samples) under valgrind memcheck: `make valgrind`.
VG := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
$(BUILD)/tests/valgrind_runtime: tests/valgrind_runtime.c $(wildcard include/lskel/*.h) \
	$(BUILD)/skel/tp_counter.lskel.h $(BUILD)/skel/net_count.lskel.h \
	$(BUILD)/skel/map_in_map.lskel.h $(BUILD)/skel/pinned.lskel.h $(BUILD)/skel/signed_tp.lskel.h \
	$(BUILD)/skel/sub_a.lskel.h $(BUILD)/skel/sublib.subskel.h | $(BUILD)/tests
	$(CC) $(CFLAGS) -I$(BUILD)/skel $< $(LDFLAGS) -o $@
valgrind: $(BUILD)/tests/valgrind_runtime $(BUILD)/skel/pinned.lskel $(BUILD)/bin/lskel
	d=/sys/fs/bpf/lskel-valgrind-$$$$; mkdir -p $$d && \
	$(VG) $(BUILD)/tests/valgrind_runtime $$d $(BUILD)/skel/pinned.lskel; rc=$$?; \
	rm -rf $$d; exit $$rc
	$(VG) $(BUILD)/bin/lskel gen -o $(BUILD)/valgrind.lskel.h $(BUILD)/samples/core_read.bpf.o
	$(VG) $(BUILD)/bin/lskel gen --sign --key $(SIGN_DIR)/key.pem --cert $(SIGN_DIR)/cert.pem \
		-f blob -o $(BUILD)/valgrind.lskel $(BUILD)/samples/tp_counter.bpf.o
	$(VG) $(BUILD)/bin/lskel dump --loader $(BUILD)/samples/map_in_map.bpf.o > /dev/null
	@echo "valgrind: no errors"
# Hostile use (tests/test_hostile.c): bad inputs and outputs for every verb, API misuse.
$(BUILD)/tests/test_hostile: $(SKEL_HDRS) $(BUILD)/skel/pinned.lskel.h $(BUILD)/skel/scale1000.lskel.h \
	$(BUILD)/skel/signed_tp.lskel.h $(BUILD)/bin/lskel-run $(TEST_BPF_OBJS) $(LINK_OBJS)
$(BUILD)/tests/test_scale: $(BUILD)/skel/scale1000.lskel.h
$(BUILD)/tests/test_concurrency: $(BUILD)/skel/scale1000.lskel.h $(SKEL_HDRS)
$(BUILD)/skel/scale1000.lskel.h: $(BENCH_DIR)/scale1000.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n scale1000 -o $@ $<
.SECONDARY:

# The real-world corpus (tests/test_corpus.c): objects extracted from Debian packages at test
# time; each generated skeleton is compiled by corpus-cc.sh as C11, C++17 and into a driver.
TEST_HELPER_LIB := $(BUILD)/tests/libtesthelpers.a
$(TEST_HELPER_LIB): $(TEST_HELPERS) $(wildcard tests/helpers/*.h) | $(BUILD)/tests
	rm -f $@ && for f in $(TEST_HELPERS); do \
		$(CC) $(CFLAGS) -Itests/helpers -c $$f -o $(BUILD)/tests/$$(basename $$f .c).o || exit 1; \
		ar rcs $@ $(BUILD)/tests/$$(basename $$f .c).o || exit 1; done
$(BUILD)/tests/corpus-extract: tests/corpus/extract.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< $(LDFLAGS) -o $@
define CORPUS_CC
#!/bin/sh
# Written by make: corpus-cc.sh c11|cxx17|driver DIR IDENT compiles DIR/IDENT.lskel.h;
# 'run' builds the object's own behaviour test tests/corpus/IDENT.c against it.
set -e
dir=$$2
id=$$3
case $$1 in
c11) printf '#include "%s.lskel.h"\n' "$$id" | $(CC) -std=c11 -O2 -Wall -Wextra -Werror \
	-pedantic -Wno-overlength-strings -Iinclude -I"$$dir" -x c -c - -o /dev/null ;;
cxx17) printf '#include "%s.lskel.h"\n' "$$id" | $(CXX) -std=c++17 -O2 -Wall -Wextra -Werror \
	-Iinclude -I"$$dir" -x c++ -c - -o /dev/null ;;
driver) $(CC) $(CFLAGS) -O0 -g0 -Igen_loader -Itests/helpers -I"$$dir" -DSKEL="$$id" \
	-DSKEL_HDR="\"$$id.lskel.h\"" tests/corpus/driver.c $(TEST_HELPER_LIB) $(GEN_LIB) \
	$(LDFLAGS) $(LIBS) -o "$$dir/$$id.drv" ;;
run) $(CC) $(CFLAGS) -O0 -g0 -I"$$dir" "tests/corpus/$$id.c" $(LDFLAGS) -o "$$dir/$$id.run" ;;
esac
endef
$(BUILD)/tests/corpus-cc.sh: Makefile | $(BUILD)/tests
	$(file >$@,$(CORPUS_CC))
	chmod +x $@
$(BUILD)/tests/test_corpus: $(BUILD)/tests/corpus-extract $(BUILD)/tests/corpus-cc.sh \
	$(TEST_HELPER_LIB) $(wildcard tests/corpus/*.c) $(BUILD)/bin/lskel

$(BUILD)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c $(BUILD)/vmlinux.h | $(BUILD)/tests/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

check: all $(TEST_BINS) $(TEST_BPF_OBJS) $(SKEL_TESTS) $(HDR_CHECKS)
	@echo "generated headers compile alone as C11 and C++17: $(words $(HDR_CHECKS)) checks passed"
	@tests/run-tests.sh $(BUILD) $(TEST_BINS) $(SKEL_TESTS)

# What this kernel refuses, on Debian's 6.1 in QEMU (tests/vm/run boots it, tests/vm/check runs
# the tests in the guest; the guest has its own kernel), and the portability matrix: every
# sample's container, generated once here, loaded here and there (tests/vm/matrix). The host
# column loads BPF into this kernel: VM_HOST_LOCK="flock /tmp/lskel-kernel.lock" serialises it.
VM_DIR := $(BUILD)/vm
VM_TESTS := $(patsubst %,$(BUILD)/tests/%,test_attach test_chain test_link test_dispatch \
	    test_modbtf test_struct_ops)
# sched_simple is struct_ops (no sched_ext on either kernel; containers refuse struct_ops)
VM_BLOBS := $(patsubst samples/%.bpf.c,$(VM_DIR)/blob/%.lskel,$(SAMPLE_SRCS)) \
	    $(patsubst samples/refused/%.bpf.c,$(VM_DIR)/blob/%.lskel, \
	      $(filter-out samples/refused/sched_simple.bpf.c,$(wildcard samples/refused/*.bpf.c)))
VM_RUN := tests/vm/run --build $(BUILD) --module nf_conntrack --module veth \
	  --with tests --with samples --with $$(command -v ip)
VM_HOST_LOCK ?=
# the real-object corpus built by make check (test_corpus) goes into the guest too
VM_CORPUS = $(if $(wildcard $(BUILD)/corpus/objs.list),--with $(BUILD)/corpus \
	    $$(cut -f3 $(BUILD)/corpus/objs.list | grep '^/' | sed 's/^/--with /'))
$(VM_DIR)/blob/%.lskel: $(BUILD)/samples/%.bpf.o $(BUILD)/bin/lskel
	@mkdir -p $(@D)
	$(BUILD)/bin/lskel gen --format blob -n $* -o $@ $<
$(VM_DIR)/blob/%.lskel: $(BUILD)/samples/refused/%.bpf.o $(BUILD)/bin/lskel
	@mkdir -p $(@D)
	$(BUILD)/bin/lskel gen --format blob -n $* -o $@ $<
$(BUILD)/tests/vm-libbpf-load: tests/vm/libbpf_load.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< $(LDFLAGS) -lbpf -o $@
check-vm: all $(VM_TESTS) $(TEST_BPF_OBJS) $(SKEL_TESTS) $(VM_BLOBS) \
	$(BUILD)/samples/refused/kprobes.bpf.o $(BUILD)/tests/vm-libbpf-load
	$(VM_HOST_LOCK) tests/vm/matrix $(BUILD) $$(uname -r | cut -d. -f1,2) > $(VM_DIR)/matrix.host
	$(VM_RUN) $(VM_CORPUS) --log $(VM_DIR)/guest.log -- tests/vm/check $(BUILD)
	@echo "== portability matrix: containers and skeletons generated once on this machine"
	tests/vm/matrix-table $(VM_DIR)/matrix.host $(VM_DIR)/guest.log
	@if [ -f $(BUILD)/corpus/objs.list ]; then \
		echo "== real-object corpus: libbpf 1.1 and lskel on both kernels"; \
		tests/vm/corpus-table $(BUILD)/corpus/outcome-$$(uname -r | cut -d. -f1,2).txt \
			$(VM_DIR)/guest.log; fi

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

# Rewrite the golden dumps after reading their diff (tests compare against them).
golden: all $(BUILD)/bin/lskel $(LINK_OBJS) $(CT_OBJS) $(SCHED_OBJ) $(BUILD)/tests/test_sign_golden
	@for o in $(SAMPLE_OBJS); do \
		n=$$(basename $$o .bpf.o); \
		$(BUILD)/bin/lskel dump $$o > tests/golden/$$n.dump || exit 1; \
	done
	$(BUILD)/bin/lskel dump $(XDISP_OBJS) > tests/golden/xdisp.chain.dump
	$(BUILD)/bin/lskel dump --loader $(XDISP_OBJS) > tests/golden/xdisp.loader.dump
	$(BUILD)/bin/lskel dump $(REFUSED_OBJS) > tests/golden/trampolines.dump
	$(BUILD)/bin/lskel dump $(CT_OBJS) > tests/golden/ct_chain.dump
	$(BUILD)/bin/lskel dump --loader $(CT_OBJS) > tests/golden/ct_chain.loader.dump
	$(BUILD)/bin/lskel dump --dynamic ext_lib $(LINK_DIR)/ext_caller_a.bpf.o \
		$(LINK_DIR)/ext_lib.bpf.o > tests/golden/dynlink.dump
	$(BUILD)/bin/lskel dump --loader --dynamic ext_lib $(LINK_DIR)/ext_caller_a.bpf.o \
		$(LINK_DIR)/ext_lib.bpf.o > tests/golden/dynlink.loader.dump
	for m in static tailcall freplace; do \
		$(BUILD)/bin/lskel dispatcher --emit-c --mode $$m -o tests/golden/dsp.$$m.c \
			samples/dispatch/dsp.spec || exit 1; done
	$(BUILD)/bin/lskel dump --dispatcher samples/dispatch/dsp.spec --mode freplace \
		$(filter-out $(DSP)/tc_gate.bpf.o,$(DSP_OBJS)) | sed 's|/[^ ]*/lskel-dispatch-[^/]*/|TMP/|' > tests/golden/dsp.freplace.dump
	$(BUILD)/bin/lskel gen -n trampolines $(REFUSED_OBJS) | sed -n '/__progs\[\] = {/,/^};/p' \
		> tests/golden/trampolines.attach
	$(BUILD)/tests/test_sign_golden --update
	$(BUILD)/bin/lskel dump $(SCHED_OBJ) > tests/golden/sched_simple.dump
	$(BUILD)/bin/lskel dump --loader $(SCHED_OBJ) > tests/golden/sched_simple.loader.dump
	git diff --stat tests/golden

$(BENCH_DIR)/scale%.bpf.c: bench/gen-scale.sh | $(BENCH_DIR)
	bench/gen-scale.sh $* > $@
$(BENCH_DIR)/scale%.bpf.o: $(BENCH_DIR)/scale%.bpf.c $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(CHAIN64_DIR)/sources.stamp: bench/gen-chain.sh | $(CHAIN64_DIR)
	bench/gen-chain.sh 64 $(CHAIN64_DIR) && touch $@
$(CHAIN64_DIR)/%.bpf.o: $(CHAIN64_DIR)/sources.stamp $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $(CHAIN64_DIR)/$*.bpf.c -o $@
$(BUILD)/tests/test_chain64: $(CHAIN64_OBJS)

$(BENCH_DIR)/bench: bench/bench.c $(GEN_LIB) | $(BENCH_DIR)
	$(CC) $(CFLAGS) $< $(GEN_LIB) $(LDFLAGS) $(LIBS) -o $@
# Per-packet dispatch cost (bench/dispatch_bench.c): 16 components, inline programs, specs.
DISP_BENCH := $(BENCH_DIR)/dispatch
DISP_BENCH_OBJS := $(patsubst %,$(DISP_BENCH)/bcomp_%.bpf.o,0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) \
		   $(patsubst %,$(DISP_BENCH)/inline_%.bpf.o,1 4 16)
$(DISP_BENCH)/sources.stamp: bench/gen-dispatch.sh | $(BENCH_DIR)
	bench/gen-dispatch.sh $(DISP_BENCH) && touch $@
$(DISP_BENCH)/%.bpf.o: $(DISP_BENCH)/sources.stamp $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $(DISP_BENCH)/$*.bpf.c -o $@
$(BENCH_DIR)/dispatch_bench: bench/dispatch_bench.c $(GEN_LIB) | $(BENCH_DIR)
	$(CC) $(CFLAGS) $< $(GEN_LIB) $(LDFLAGS) $(LIBS) -o $@

# Side by side in one run; bpftool's light skeleton where it generates and compiles.
bench: all $(BENCH_DIR)/bench $(SCALE_OBJS) $(CHAIN64_OBJS) $(BUILD)/tests/corpus-extract \
	$(BENCH_DIR)/dispatch_bench $(DISP_BENCH_OBJS)
	@for o in $(SAMPLE_OBJS) $(SCALE_OBJS); do \
		n=$$(basename $$o .bpf.o); rm -f $(BENCH_DIR)/$$n.bpftool*; \
		if ! $(BPFTOOL) gen skeleton -L $$o name $$n > $(BENCH_DIR)/$$n.bpftool.h 2>/dev/null; \
		then echo gen-fail > $(BENCH_DIR)/$$n.bpftool.status; \
		elif ! $(CC) -O2 -DNAME=$$n -DBPFTOOL_HDR="\"$$n.bpftool.h\"" -I$(BENCH_DIR) \
			bench/bpftool_bench.c -o $(BENCH_DIR)/$$n.bpftool 2>/dev/null; \
		then echo cc-fail > $(BENCH_DIR)/$$n.bpftool.status; fi; \
	done
	BENCH_DATA=$(BENCH_DIR)/ratios.txt BENCH_PHASES=$(BENCH_DIR)/phases.txt \
	$(BENCH_DIR)/bench --bpftool-dir $(BENCH_DIR) $(SAMPLE_OBJS) $(SCALE_OBJS) \
		--chain chain64 $(CHAIN64_OBJS) \
		--corpus $$(scripts/corpus-objects.sh $(BENCH_DIR)/corpus $(BUILD)/tests/corpus-extract)
	$(BENCH_DIR)/dispatch_bench $(DISP_BENCH)
	@if command -v gnuplot > /dev/null; then \
		gnuplot -e "in='$(BENCH_DIR)/ratios.txt'; out='$(BENCH_DIR)/ratios.png'" bench/plot.gp \
		&& echo "plot: $(BENCH_DIR)/ratios.png (README's bench/ratios.png: copy it there)"; fi

# libFuzzer targets (clang): the object front end and the container reader.
# make fuzz FUZZ_TIME=seconds (default 60); corpora in fuzz/corpus/*, crashers become tests.
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TIME ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      -std=gnu11 -Iinclude -Igen_loader
$(FUZZ_DIR)/fuzz_obj: fuzz/fuzz_obj.c $(GEN_SRCS) $(wildcard gen_loader/*.h include/lskel/*.h) | $(FUZZ_DIR)
	$(CLANG) $(FUZZ_FLAGS) fuzz/fuzz_obj.c $(GEN_SRCS) $(LIBS) -o $@
$(FUZZ_DIR)/fuzz_spec: fuzz/fuzz_spec.c $(GEN_SRCS) $(wildcard gen_loader/*.h) | $(FUZZ_DIR)
	$(CLANG) $(FUZZ_FLAGS) fuzz/fuzz_spec.c $(GEN_SRCS) $(LIBS) -o $@
$(FUZZ_DIR)/fuzz_container: fuzz/fuzz_container.c $(wildcard include/lskel/*.h) | $(FUZZ_DIR)
	$(CLANG) $(FUZZ_FLAGS) $< -o $@
fuzz-seeds: all $(BUILD)/skel/net_count.lskel $(BUILD)/skel/pinned.lskel $(SIGN_DIR)/cert.pem
	mkdir -p fuzz/corpus/obj fuzz/corpus/container
	for o in $(SAMPLE_OBJS) $(CHAIN_OBJS); do \
		[ $$(stat -c %s $$o) -le 65536 ] && cp $$o fuzz/corpus/obj/$$(basename $$o .o); \
	done; true
	for o in $(SAMPLE_OBJS); do n=$$(basename $$o .bpf.o); \
		$(BUILD)/bin/lskel gen --format blob -o fuzz/corpus/container/$$n.lskel $$o; done
	cp $(BUILD)/skel/pinned.lskel fuzz/corpus/container/pinned.lskel
	$(BUILD)/bin/lskel gen --format blob $(SIGN) -n signed_tp \
		-o fuzz/corpus/container/signed_tp.lskel $(BUILD)/samples/tp_counter.bpf.o
fuzz: $(FUZZ_DIR)/fuzz_obj $(FUZZ_DIR)/fuzz_container $(FUZZ_DIR)/fuzz_spec
	@mkdir -p $(FUZZ_DIR)/corpus-obj $(FUZZ_DIR)/corpus-container $(FUZZ_DIR)/corpus-spec
	$(FUZZ_DIR)/fuzz_spec -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus-spec fuzz/corpus/spec fuzz/regress/spec
	$(FUZZ_DIR)/fuzz_obj -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus-obj fuzz/corpus/obj fuzz/regress/obj
	$(FUZZ_DIR)/fuzz_container -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus-container fuzz/corpus/container \
		fuzz/regress/container

# CI: a fixed seed and a fixed number of runs, so a run is reproducible.
fuzz-ci: $(FUZZ_DIR)/fuzz_obj $(FUZZ_DIR)/fuzz_container $(FUZZ_DIR)/fuzz_spec
	@mkdir -p $(FUZZ_DIR)/ci-obj $(FUZZ_DIR)/ci-container $(FUZZ_DIR)/ci-spec
	$(FUZZ_DIR)/fuzz_spec -seed=1 -runs=300000 -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/ci-spec fuzz/corpus/spec fuzz/regress/spec
	$(FUZZ_DIR)/fuzz_obj -seed=1 -runs=200000 -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/ci-obj fuzz/corpus/obj fuzz/regress/obj
	$(FUZZ_DIR)/fuzz_container -seed=1 -runs=2000000 -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/ci-container fuzz/corpus/container \
		fuzz/regress/container

install: $(BUILD)/bin/lskel $(BUILD)/bin/lskel-run
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/lskel \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 $(BUILD)/bin/lskel $(BUILD)/bin/lskel-run $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 include/lskel/*.h $(DESTDIR)$(PREFIX)/include/lskel/
	sed -e 's|@PREFIX@|$(PREFIX)|' lskel.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/lskel.pc

$(BUILD) $(BUILD)/obj $(BUILD)/bin $(BUILD)/samples $(BUILD)/tests $(BUILD)/tests/bpf $(BUILD)/skel \
$(CH) $(DSP) $(CHAIN64_DIR) $(BUILD)/samples/refused \
$(BENCH_DIR) $(FUZZ_DIR):
	mkdir -p $@

clean:
	rm -rf $(BUILD)
