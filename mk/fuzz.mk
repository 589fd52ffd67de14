# SPDX-License-Identifier: BSD-2-Clause
# libFuzzer targets (clang): the object front end, the dispatcher spec reader and the
# container reader. make fuzz FUZZ_TIME=seconds (default 60); corpora in fuzz/corpus/*,
# crashers become tests (fuzz/regress/*); fuzz-ci is the short reproducible run.
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TIME ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      -std=gnu11 -Iinclude $(GEN_INC)
GEN_HDRS := $(wildcard gen_loader/*/*.h)
$(FUZZ_DIR)/fuzz_obj: fuzz/fuzz_obj.c $(GEN_SRCS) $(GEN_HDRS) $(wildcard include/lskel/*.h) | $(FUZZ_DIR)
	$(CLANG) $(FUZZ_FLAGS) fuzz/fuzz_obj.c $(GEN_SRCS) $(LIBS) -o $@
$(FUZZ_DIR)/fuzz_spec: fuzz/fuzz_spec.c $(GEN_SRCS) $(GEN_HDRS) | $(FUZZ_DIR)
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

$(FUZZ_DIR):
	mkdir -p $@
