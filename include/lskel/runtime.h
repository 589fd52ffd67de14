/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime: loads a generated loader program and its data blob, runs it once, and hands
 * out the fds it made. Header-only; needs libc and the kernel UAPI headers, nothing else.
 * C11 and C++ (17 and later). Generated NAME.lskel.h headers include only this file.
 *
 * The parts, each usable alone: core.h (types, bpf(), errors), kconfig.h, signed.h
 * (hashes and the manifest), pin.h, load.h (run the loader; open/load/destroy), subskel.h,
 * elf.h and probe.h (uprobes, kprobes), attach_multi.h, struct_ops.h, attach.h. */
#ifndef LSKEL_RUNTIME_H
#define LSKEL_RUNTIME_H

#include <lskel/core.h>
#include <lskel/kconfig.h>
#include <lskel/signed.h>
#include <lskel/pin.h>
#include <lskel/subskel.h>
#include <lskel/elf.h>
#include <lskel/probe.h>
#include <lskel/attach_multi.h>
#include <lskel/struct_ops.h>
#include <lskel/attach.h>
#include <lskel/load.h>

#endif
