# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: lskel side by side with bpftool's light skeleton in one run (bench/), the
# generated scale and chain objects it loads, and the per-packet dispatch cost.

CHAIN64_DIR := $(BUILD)/chain64
CHAIN64_NAMES := $(shell i=0; while [ $$i -lt 64 ]; do printf 'link%02d ' $$i; i=$$((i+1)); done)
CHAIN64_OBJS := $(patsubst %,$(CHAIN64_DIR)/%.bpf.o,$(CHAIN64_NAMES))
SCALE_OBJS := $(BENCH_DIR)/scale10.bpf.o $(BENCH_DIR)/scale100.bpf.o $(BENCH_DIR)/scale1000.bpf.o

$(BENCH_DIR)/scale%.bpf.c: bench/gen-scale.sh | $(BENCH_DIR)
	bench/gen-scale.sh $* > $@
$(BENCH_DIR)/scale%.bpf.o: $(BENCH_DIR)/scale%.bpf.c $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(CHAIN64_DIR)/sources.stamp: bench/gen-chain.sh | $(CHAIN64_DIR)
	bench/gen-chain.sh 64 $(CHAIN64_DIR) && touch $@
$(CHAIN64_DIR)/%.bpf.o: $(CHAIN64_DIR)/sources.stamp $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $(CHAIN64_DIR)/$*.bpf.c -o $@
$(BUILD)/tests/test_chain64: $(CHAIN64_OBJS)

$(BENCH_DIR)/bench: bench/bench.c bench/settle.h $(GEN_LIB) | $(BENCH_DIR)
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
		if ! $(BPFTOOL) gen skeleton -L $$o name $$n > $(BENCH_DIR)/$$n.bpftool.h \
			2> $(BENCH_DIR)/$$n.bpftool.gen.err; \
		then echo gen-fail > $(BENCH_DIR)/$$n.bpftool.status; \
		elif ! $(CC) -O2 -DNAME=$$n -DBPFTOOL_HDR="\"$$n.bpftool.h\"" -I$(BENCH_DIR) \
			bench/bpftool_bench.c -o $(BENCH_DIR)/$$n.bpftool \
			2> $(BENCH_DIR)/$$n.bpftool.cc.err; \
		then echo cc-fail > $(BENCH_DIR)/$$n.bpftool.status; fi; \
	done
	BENCH_DATA=$(BENCH_DIR)/ratios.txt BENCH_PHASES=$(BENCH_DIR)/phases.txt \
	$(BENCH_DIR)/bench --bpftool-dir $(BENCH_DIR) $(SAMPLE_OBJS) $(SCALE_OBJS) \
		--chain chain64 $(CHAIN64_OBJS) \
		--corpus $$(scripts/corpus-objects.sh $(BENCH_DIR)/corpus $(BUILD)/tests/corpus-extract)
	$(BENCH_DIR)/dispatch_bench $(DISP_BENCH)
	@if [ -n "$$(command -v gnuplot)" ]; then \
		gnuplot -e "in='$(BENCH_DIR)/ratios.txt'; out='$(BENCH_DIR)/ratios.png'" bench/plot.gp \
		&& echo "plot: $(BENCH_DIR)/ratios.png (README's bench/ratios.png: copy it there)"; fi

$(BENCH_DIR) $(CHAIN64_DIR):
	mkdir -p $@
