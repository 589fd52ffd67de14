# SPDX-License-Identifier: BSD-2-Clause
# Toolchain, flags and the target arch; the gen_loader library (one folder per stage, see
# README "Layout"), build/bin/lskel and the static build/bin/lskel-run.

CFLAGS   ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif
LIBS     := -lbpf -lelf -lz -lcrypto

# gen_loader/STAGE/*.c: every stage folder is on the include path, so sources include each
# other's headers by bare name ("obj.h") wherever they live.
GEN_DIRS := $(patsubst %/,%,$(sort $(dir $(wildcard gen_loader/*/*.c gen_loader/*/*.h))))
GEN_INC  := $(addprefix -I,$(GEN_DIRS))
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Iinclude $(GEN_INC)
GEN_SRCS := $(filter-out gen_loader/cli/%,$(wildcard gen_loader/*/*.c))
GEN_OBJS := $(patsubst gen_loader/%.c,$(BUILD)/obj/%.o,$(GEN_SRCS))
CLI_OBJS := $(patsubst gen_loader/%.c,$(BUILD)/obj/%.o,$(wildcard gen_loader/cli/*.c))
GEN_LIB  := $(BUILD)/libgen_loader.a

# The BPF target arch from the host (clang's -D__TARGET_ARCH_*, used by bpf_tracing.h);
# BPF_ARCH=... overrides it.
HOST_ARCH ?= $(shell uname -m)
ARCH_MAP := x86_64:x86 i386:x86 i486:x86 i586:x86 i686:x86 aarch64:arm64 arm64:arm64 \
	    armv6l:arm armv7l:arm armv8l:arm ppc64le:powerpc ppc64:powerpc s390x:s390 \
	    riscv64:riscv loongarch64:loongarch mips:mips mips64:mips sparc64:sparc
BPF_ARCH ?= $(patsubst $(HOST_ARCH):%,%,$(filter $(HOST_ARCH):%,$(ARCH_MAP)))
ifeq ($(strip $(BPF_ARCH)),)
$(error host architecture '$(HOST_ARCH)' has no known __TARGET_ARCH_ name: set BPF_ARCH)
endif
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD) -Isamples -Wall -Werror \
	       -fdebug-prefix-map=$(CURDIR)=. -fdebug-prefix-map=$(BUILD)/=build/ \
	       -Wno-unused-function

# Directories other files use in their variables.
BENCH_DIR := $(BUILD)/bench
SIGN_DIR := $(BUILD)/sign

# One object per source; each depends on the headers it really includes (-MMD -MP).
$(BUILD)/obj/%.o: gen_loader/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
-include $(GEN_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

$(GEN_LIB): $(GEN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/lskel: $(CLI_OBJS) $(GEN_LIB) | $(BUILD)/bin
	$(CC) $(CFLAGS) $(CLI_OBJS) $(GEN_LIB) $(LDFLAGS) $(LIBS) -o $@

# lskel-run: static, no libbpf/libelf/zlib. musl keeps it under 64 KiB; glibc -static works too.
STATIC_CC ?= $(if $(shell command -v musl-gcc),musl-gcc,$(CC))
RUN_CFLAGS := -static -fno-pie -no-pie -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	      -Wall -Wextra -Werror -Iinclude -idirafter /usr/include \
	      -idirafter /usr/include/$(shell $(CC) -dumpmachine)
# kprobe.multi and ksyscall attach stay out of it (lskel/attach_multi.h): size
RUN_CFLAGS += -DLSKEL_RUN_SMALL
RUN_LDFLAGS := -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,--build-id=none -s

$(BUILD)/bin/lskel-run: runtime/lskel_run.c $(wildcard include/lskel/*.h) | $(BUILD)/bin
	$(STATIC_CC) $(RUN_CFLAGS) $< $(RUN_LDFLAGS) -o $@

$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD) $(BUILD)/bin:
	mkdir -p $@
