# SPDX-License-Identifier: BSD-2-Clause
# What this kernel refuses, on Debian's 6.1 in QEMU (tests/vm/run boots it, tests/vm/check runs
# the tests in the guest; the guest has its own kernel), and the portability matrix: every
# sample's container, generated once here, loaded here and there (tests/vm/matrix). The host
# column loads BPF into this kernel: VM_HOST_LOCK="flock /tmp/lskel-kernel.lock" serialises it.
VM_DIR := $(BUILD)/vm
VM_TESTS := $(patsubst %,$(BUILD)/tests/%,test_attach test_chain test_link test_dispatch \
	    test_modbtf test_struct_ops test_usdt test_loader_shapes)
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
