# SPDX-License-Identifier: BSD-2-Clause
# Test binaries (tests/test_*.c, one skel_NAME per sample), the "generated header compiles
# alone" checks, the gen_loader layout check, the real-object corpus, valgrind, and `check`.

TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(wildcard tests/helpers/*.c)
SKEL_TESTS := $(patsubst %,$(BUILD)/tests/skel_%,$(SKEL_NAMES))

# A generated header compiles on its own, warnings as errors, written once:
# $(call hdr_alone,c11|cxx17,HEADER,DIR,OBJ) is the shell command that includes HEADER from DIR
# (the object goes to OBJ, removed after: no output path outside the build tree).
hdr_alone = printf '\#include "%s"\n' $(2) | $(if $(filter c11,$(1)),$(CC) -std=c11 -pedantic \
	-Wno-overlength-strings -x c,$(CXX) -std=c++17 -x c++) -O2 -Wall -Wextra -Werror \
	-Iinclude -I$(3) -c - -o $(4) && rm -f $(4)
# ... and with every function it defines built, as a user's program builds the ones it calls
# (scripts/hdr-use.sh): $(call hdr_use,LANG,PATH,INCLUDE-NAME,DIR,OBJ) for LANG c11 or cxx17
# (CC and CXX at -O2), c11-O3 or cxx17-O3 (-O3 inlines more, and warns where -O2 does not),
# clang-c11 or clang-cxx17 (-O2).
hdr_lang = $(if $(filter c11%,$(1)),$(CC) -std=c11 -pedantic -Wno-overlength-strings -x c,\
	$(if $(filter cxx17%,$(1)),$(CXX) -std=c++17 -x c++,\
	$(if $(filter clang-c11,$(1)),$(CLANG) -std=c11 -pedantic -Wno-overlength-strings -x c,\
	$(CLANG)++ -std=c++17 -x c++))) $(if $(filter %-O3,$(1)),-O3,-O2)
hdr_use = scripts/hdr-use.sh $(2) $(3) > $(5).c && $(call hdr_lang,$(1)) -Wall -Wextra -Werror \
	-Iinclude -I$(4) -c $(5).c -o $(5) && rm -f $(5) $(5).c

HDR_NAMES := $(SKEL_NAMES) dsp_static dsp_tailcall $(ST_OPS_NAMES) sched_simple
HDR_LANGS := c11 cxx17 c11-O3 cxx17-O3
RT_LANGS := $(HDR_LANGS) clang-c11 clang-cxx17
HDR_CHECKS := $(foreach l,$(HDR_LANGS),$(patsubst %,$(BUILD)/skel/%.$(l).ok,$(HDR_NAMES)))
# Every runtime header (include/lskel/: runtime.h and its parts) compiles on its own too.
RT_HDRS := $(patsubst include/lskel/%.h,%,$(wildcard include/lskel/*.h))
HDR_CHECKS += $(foreach l,$(RT_LANGS),$(patsubst %,$(BUILD)/hdr/%.$(l).ok,$(RT_HDRS)))
define HDR_RULES
$(BUILD)/skel/%.$(1).ok: $(BUILD)/skel/%.lskel.h scripts/hdr-use.sh $(wildcard include/lskel/*.h)
	$$(call hdr_use,$(1),$$<,$$*.lskel.h,$(BUILD)/skel,$$@.o) && touch $$@
$(BUILD)/hdr/%.$(1).ok: include/lskel/%.h scripts/hdr-use.sh $(wildcard include/lskel/*.h)
	@mkdir -p $$(@D)
	$$(call hdr_use,$(1),$$<,lskel/$$*.h,include,$$@.o) && touch $$@
endef
$(foreach l,$(RT_LANGS),$(eval $(call HDR_RULES,$(l))))
$(BUILD)/skel/sublib.subskel.ok: $(BUILD)/skel/sublib.subskel.h scripts/hdr-use.sh \
	$(wildcard include/lskel/*.h)
	$(foreach l,$(HDR_LANGS),$(call hdr_use,$(l),$<,sublib.subskel.h,$(BUILD)/skel,$@.o) && )\
		touch $@

$(BUILD)/tests/%: tests/%.c $(TEST_HELPERS) $(wildcard tests/helpers/*.h) $(GEN_LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/helpers -I$(BUILD)/skel $< $(TEST_HELPERS) $(GEN_LIB) $(LDFLAGS) \
		$(LIBS) -lcmocka -lpthread -o $@

# One differential/fault test binary per sample skeleton (tests/skel_test.c).
$(BUILD)/tests/skel_%: tests/skel_test.c $(BUILD)/skel/%.lskel.h $(TEST_HELPERS) $(GEN_LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/helpers -I$(BUILD)/skel -DSKEL=$* -DSKEL_HDR='"$*.lskel.h"' \
		$< $(TEST_HELPERS) $(GEN_LIB) $(LDFLAGS) $(LIBS) -lcmocka -o $@

# What each test binary loads or reads besides its own source.
$(BUILD)/tests/test_dispatch: $(DSP_HDRS) $(DSP_OBJS) $(BUILD)/skel/dsp_twice.lskel.h \
	$(BUILD)/skel/nest.lskel.h $(BUILD)/skel/dsp_tc.lskel.h
$(BUILD)/tests/test_behaviour: $(SKEL_HDRS)
$(BUILD)/tests/test_lskel_run: $(BUILD)/bin/lskel-run $(BUILD)/skel/net_count.lskel
$(BUILD)/tests/test_attach: $(SKEL_HDRS) $(BUILD)/skel/trampolines.lskel.h \
	$(BUILD)/skel/kprobes.lskel.h
$(BUILD)/tests/test_chain: $(CHAIN_HDRS) $(TEST_BPF_OBJS)
$(BUILD)/tests/test_struct_ops: $(ST_OPS_SKELS) $(SCHED_OBJ)
$(BUILD)/tests/test_multi_attach: $(BUILD)/skel/umulti.lskel.h $(BUILD)/skel/kprobes_refused.lskel.h
# USDT (tests/test_usdt.c): usdt.bpf.h includes <linux/errno.h>, whose asm/ is multiarch; the
# target binary (probes in two files: sdt.h's semaphores are per file) found through $PATH.
$(BUILD)/tests/bpf/usdt_%.bpf.o: BPF_CFLAGS += -idirafter /usr/include/$(shell $(CC) -dumpmachine)
$(BUILD)/tests/lskel_usdt_target: tests/usdt/target.c tests/usdt/guarded.c | $(BUILD)/tests
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror $^ -o $@
$(BUILD)/skel/usdt_%.lskel.h: $(BUILD)/tests/bpf/usdt_%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n usdt_$* -o $@ $<
$(BUILD)/tests/test_usdt: $(BUILD)/skel/usdt_args.lskel.h $(BUILD)/skel/usdt_refused.lskel.h \
	$(BUILD)/tests/lskel_usdt_target $(BUILD)/tests/bpf/usdt_args.bpf.o
HDR_CHECKS += $(foreach l,$(HDR_LANGS),$(BUILD)/skel/usdt_args.$(l).ok)
$(BUILD)/tests/test_modbtf: $(BUILD)/skel/ct_chain.lskel.h
$(BUILD)/tests/test_pinning: $(PIN_SKELS) $(BUILD)/tests/bpf/pinned.bpf.o $(BUILD)/bin/lskel-run
$(BUILD)/tests/test_signing: $(BUILD)/skel/signed_tp.lskel.h $(BUILD)/skel/signed_net.lskel.h \
	$(BUILD)/skel/tp_counter.lskel.h $(BUILD)/bin/lskel-run
$(BUILD)/tests/test_sign_golden: $(BUILD)/skel/signed_tp.lskel.h
# The loader's shapes (tests/test_loader_shapes.c): loop and compat loaders, resumed runs.
$(BUILD)/tests/test_loader_shapes: $(BUILD)/skel/net_count.lskel.h $(BUILD)/skel/signed_tp.lskel.h \
	$(BUILD)/tests/bpf/opt_root.bpf.o
$(BUILD)/tests/test_link: $(BUILD)/skel/extlink.lskel.h $(BUILD)/skel/dynlink.lskel.h $(LINK_OBJS)
# Hostile use (tests/test_hostile.c): bad inputs and outputs for every verb, API misuse.
$(BUILD)/tests/test_hostile: $(SKEL_HDRS) $(BUILD)/skel/pinned.lskel.h $(BUILD)/skel/scale1000.lskel.h \
	$(BUILD)/skel/signed_tp.lskel.h $(BUILD)/bin/lskel-run $(TEST_BPF_OBJS) $(LINK_OBJS)
$(BUILD)/tests/test_scale: $(BUILD)/skel/scale1000.lskel.h
$(BUILD)/tests/test_concurrency: $(BUILD)/skel/scale1000.lskel.h $(SKEL_HDRS)
$(BUILD)/tests/test_subskel: tests/test_subskel.c tests/subskel/lib_user.c tests/subskel/lib_user.h \
	$(BUILD)/skel/sub_a.lskel.h $(BUILD)/skel/sub_b.lskel.h $(BUILD)/skel/sub_v2.lskel.h \
	$(BUILD)/skel/subchain.lskel.h \
	$(BUILD)/skel/sublib.subskel.ok $(TEST_HELPERS) $(GEN_LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/helpers -Itests/subskel -I$(BUILD)/skel $< tests/subskel/lib_user.c \
		$(TEST_HELPERS) $(GEN_LIB) $(LDFLAGS) $(LIBS) -lcmocka -lpthread -o $@

# The runtime (and the generator on two samples) under valgrind memcheck: `make valgrind`.
VG := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
$(BUILD)/tests/valgrind_runtime: tests/valgrind_runtime.c $(wildcard include/lskel/*.h) \
	$(BUILD)/skel/tp_counter.lskel.h $(BUILD)/skel/net_count.lskel.h \
	$(BUILD)/skel/map_in_map.lskel.h $(BUILD)/skel/pinned.lskel.h $(BUILD)/skel/signed_tp.lskel.h \
	$(BUILD)/skel/sub_a.lskel.h $(BUILD)/skel/sublib.subskel.h | $(BUILD)/tests
	$(CC) $(CFLAGS) -I$(BUILD)/skel $< $(LDFLAGS) -o $@
valgrind: $(BUILD)/tests/valgrind_runtime $(BUILD)/skel/pinned.lskel $(BUILD)/bin/lskel
	d=$$(mktemp -d) && unshare -m --propagation private sh -c \
		'mount -t bpf -o mode=0700 bpf "$$0" && exec $(VG) $(BUILD)/tests/valgrind_runtime \
		"$$0" $(BUILD)/skel/pinned.lskel' "$$d"; rc=$$?; rmdir "$$d"; exit $$rc
	$(VG) $(BUILD)/bin/lskel gen -o $(BUILD)/valgrind.lskel.h $(BUILD)/samples/core_read.bpf.o
	$(VG) $(BUILD)/bin/lskel gen --sign --key $(SIGN_DIR)/key.pem --cert $(SIGN_DIR)/cert.pem \
		-f blob -o $(BUILD)/valgrind.lskel $(BUILD)/samples/tp_counter.bpf.o
	$(VG) $(BUILD)/bin/lskel dump --loader $(BUILD)/samples/map_in_map.bpf.o \
		> $(BUILD)/valgrind.dump.txt
	@echo "valgrind: no errors"

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
c11) $(call hdr_alone,c11,"$$id.lskel.h","$$dir","$$dir/$$id.c11.o") ;;
cxx17) $(call hdr_alone,cxx17,"$$id.lskel.h","$$dir","$$dir/$$id.cxx17.o") ;;
driver) $(CC) $(CFLAGS) -O0 -g0 -Itests/helpers -I"$$dir" -DSKEL="$$id" \
	-DSKEL_HDR="\"$$id.lskel.h\"" tests/corpus/driver.c $(TEST_HELPER_LIB) $(GEN_LIB) \
	$(LDFLAGS) $(LIBS) -o "$$dir/$$id.drv" ;;
run) $(CC) $(CFLAGS) -O0 -g0 -I"$$dir" "tests/corpus/$$id.c" $(LDFLAGS) -o "$$dir/$$id.run" ;;
esac
endef
$(BUILD)/tests/corpus-cc.sh: Makefile mk/tests.mk | $(BUILD)/tests
	$(file >$@,$(CORPUS_CC))
	chmod +x $@
$(BUILD)/tests/test_corpus: $(BUILD)/tests/corpus-extract $(BUILD)/tests/corpus-cc.sh \
	$(TEST_HELPER_LIB) $(wildcard tests/corpus/*.c) $(BUILD)/bin/lskel

# gen_loader's stages (scripts/check-layout.sh): no include or link cycle between its files,
# no edge from a stage to a later one, from the sources' #includes and the objects' symbols.
layout: $(GEN_OBJS) $(CLI_OBJS)
	scripts/check-layout.sh gen_loader $(BUILD)/obj

# Tests write only inside their own temporary directory: no write to /dev/null in the tests,
# their scripts and the make recipes (scripts/check-no-devnull.sh names file and line).
.PHONY: no-devnull
no-devnull:
	@scripts/check-no-devnull.sh

check: all layout no-devnull $(TEST_BINS) $(TEST_BPF_OBJS) $(SKEL_TESTS) $(HDR_CHECKS)
	@echo "generated and runtime headers compile alone with every function built (C11, C++17;" \
		"gcc -O2 and -O3, clang): $(words $(HDR_CHECKS)) checks passed"
	@tests/run-tests.sh $(BUILD) $(TEST_BINS) $(SKEL_TESTS)

$(BUILD)/tests:
	mkdir -p $@
