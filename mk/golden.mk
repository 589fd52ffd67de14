# SPDX-License-Identifier: BSD-2-Clause
# Golden dumps (tests/golden/): the objects they are made from, declared once for both the
# test that compares (test_golden) and `make golden` that rewrites them.

GOLDEN_INPUTS := $(SAMPLE_OBJS) $(XDISP_OBJS) $(REFUSED_OBJS) $(CT_OBJS) $(LINK_OBJS) \
		 $(DSP_OBJS) $(SCHED_OBJ)
$(BUILD)/tests/test_golden: $(GOLDEN_INPUTS)

# Rewrite the golden dumps after reading their diff (tests compare against them).
golden: all $(BUILD)/bin/lskel $(GOLDEN_INPUTS) $(BUILD)/tests/test_sign_golden
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
