/* SPDX-License-Identifier: BSD-2-Clause */
/* Whether a program a test runs through the shell is installed (no `command -v` writing its
 * answer anywhere). */
#ifndef LSK_TEST_TOOL_H
#define LSK_TEST_TOOL_H

#include <stdbool.h>

/* True when an executable file named @name is in one of $PATH's directories. */
bool tool_found(const char *name);

#endif
