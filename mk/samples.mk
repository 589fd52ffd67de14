# SPDX-License-Identifier: BSD-2-Clause
# BPF objects (samples/, tests/bpf/, tests/link/, tests/subskel/) and the skeletons and
# containers lskel generates from them for the tests.

SAMPLE_SRCS := $(wildcard samples/*.bpf.c)
SAMPLE_OBJS := $(patsubst samples/%.bpf.c,$(BUILD)/samples/%.bpf.o,$(SAMPLE_SRCS))

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

# struct_ops congestion controls (tests/test_struct_ops.c): plain and .struct_ops.link.
ST_OPS_NAMES := cc_plain cc_link cc_two umulti kprobes_refused
ST_OPS_SKELS := $(patsubst %,$(BUILD)/skel/%.lskel.h,$(ST_OPS_NAMES))
# A sched_ext scheduler (no kernel here has sched_ext): golden trace and loader.
SCHED_OBJ := $(BUILD)/samples/refused/sched_simple.bpf.o
# Kfuncs shared by two objects (module BTF fds: one per symbol per load, tests/test_modbtf.c).
CT_OBJS := $(BUILD)/samples/ct_lookup.bpf.o $(BUILD)/tests/bpf/ct_other.bpf.o
# Extern functions across objects (tests/test_link.c).
LINK_DIR := $(BUILD)/tests/link
LINK_OBJS := $(patsubst tests/link/%.bpf.c,$(LINK_DIR)/%.bpf.o,$(wildcard tests/link/*.bpf.c))
PIN_SKELS := $(BUILD)/skel/pinned.lskel.h $(BUILD)/skel/pinned_other.lskel.h $(BUILD)/skel/pinned.lskel

samples: $(SAMPLE_OBJS) $(CHAIN_OBJS) $(REFUSED_OBJS) $(DSP_OBJS)
$(DSP)/%.bpf.o: samples/dispatch/%.bpf.c $(BUILD)/vmlinux.h $(wildcard samples/dispatch/*.h) | $(DSP)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/samples/refused/%.bpf.o: samples/refused/%.bpf.c $(BUILD)/vmlinux.h | $(BUILD)/samples/refused
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(CH)/%.bpf.o: samples/chain/%.bpf.c $(BUILD)/vmlinux.h $(wildcard samples/chain/*.h) | $(CH)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/samples/%.bpf.o: samples/%.bpf.c $(BUILD)/vmlinux.h $(wildcard samples/*.h) | $(BUILD)/samples
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c $(BUILD)/vmlinux.h | $(BUILD)/tests/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(LINK_DIR)/%.bpf.o: tests/link/%.bpf.c $(BUILD)/vmlinux.h
	mkdir -p $(LINK_DIR)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.lskel.h: $(BUILD)/samples/%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n $* -o $@ $<

# Generated dispatchers
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

# Containers, refused sections, kprobes, struct_ops, multi-attach
$(BUILD)/skel/net_count.lskel: $(BUILD)/samples/net_count.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen --format blob -n net_count -o $@ $<
$(BUILD)/skel/trampolines.lskel.h: $(REFUSED_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n trampolines -o $@ $(REFUSED_OBJS)
# kprobe/kretprobe auto-attach (no kprobes here: runs in the 6.1 guest, make check-vm)
$(BUILD)/skel/kprobes.lskel.h: $(BUILD)/samples/refused/kprobes.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n kprobes -o $@ $<
$(BUILD)/skel/umulti.lskel.h $(BUILD)/skel/kprobes_refused.lskel.h: $(BUILD)/skel/%.lskel.h: \
		$(BUILD)/tests/bpf/%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n $* -o $@ $<
$(BUILD)/skel/sched_simple.lskel.h: $(SCHED_OBJ) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n sched_simple -o $@ $<
$(BUILD)/skel/cc_%.lskel.h: $(BUILD)/tests/bpf/cc_%.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n cc_$* -o $@ $<

# Chained loads
$(BUILD)/skel/ct_chain.lskel.h: $(CT_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n ct_chain -o $@ $(CT_OBJS)
$(BUILD)/skel/pipe.lskel.h: $(PIPE_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n pipe -o $@ $(PIPE_OBJS)
$(BUILD)/skel/dispatch.lskel.h: $(DISPATCH_OBJS) samples/chain/dispatch.chain $(BUILD)/bin/lskel
	$(BUILD)/bin/lskel gen -n dispatch --chain samples/chain/dispatch.chain -o $@ $(DISPATCH_OBJS)
$(BUILD)/skel/xdisp.lskel.h: $(XDISP_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n xdisp -o $@ $(XDISP_OBJS)
$(BUILD)/skel/extlink.lskel.h: $(LINK_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n extlink -o $@ $(LINK_DIR)/ext_caller_a.bpf.o \
		$(LINK_DIR)/ext_caller_b.bpf.o $(LINK_DIR)/ext_lib.bpf.o
$(BUILD)/skel/dynlink.lskel.h: $(LINK_OBJS) $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n dynlink --dynamic ext_lib -o $@ $(LINK_DIR)/ext_caller_a.bpf.o \
		$(LINK_DIR)/ext_lib.bpf.o

# Pinning
$(BUILD)/skel/pinned.lskel.h: $(BUILD)/tests/bpf/pinned.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n pinned -o $@ $<
$(BUILD)/skel/pinned_other.lskel.h: $(BUILD)/tests/bpf/pinned_other.bpf.o $(BUILD)/bin/lskel \
	| $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n pinned_other -o $@ $<
$(BUILD)/skel/pinned.lskel: $(BUILD)/tests/bpf/pinned.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen --format blob -n pinned -o $@ $<

# Signed loaders (tests/test_signing.c): a throw-away RSA key and self-signed certificate,
# and a second one that signed nothing (openssl's progress output kept next to them).
SIGN := --sign --key $(SIGN_DIR)/key.pem --cert $(SIGN_DIR)/cert.pem
$(SIGN_DIR)/cert.pem:
	mkdir -p $(SIGN_DIR)
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=lskel test signer" -days 3650 \
		-keyout $(SIGN_DIR)/key.pem -out $@ 2> $(SIGN_DIR)/key.log
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=someone else" -days 3650 \
		-keyout $(SIGN_DIR)/other.key -out $(SIGN_DIR)/other.pem 2> $(SIGN_DIR)/other.log
$(BUILD)/skel/signed_tp.lskel.h: $(BUILD)/samples/tp_counter.bpf.o $(SIGN_DIR)/cert.pem \
	$(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen $(SIGN) -n signed_tp -o $@ $<
$(BUILD)/skel/signed_net.lskel.h: $(BUILD)/samples/net_count.bpf.o $(SIGN_DIR)/cert.pem \
	$(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen $(SIGN) -n signed_net -o $@ $<

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

$(BUILD)/skel/scale1000.lskel.h: $(BENCH_DIR)/scale1000.bpf.o $(BUILD)/bin/lskel | $(BUILD)/skel
	$(BUILD)/bin/lskel gen -n scale1000 -o $@ $<
.SECONDARY:

$(BUILD)/samples $(BUILD)/samples/refused $(BUILD)/tests/bpf $(BUILD)/skel $(CH) $(DSP):
	mkdir -p $@
