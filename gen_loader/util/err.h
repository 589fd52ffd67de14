/* SPDX-License-Identifier: BSD-2-Clause */
/* One-line error messages that name file, place and cause; stored for the caller to print. */
#ifndef LSK_ERR_H
#define LSK_ERR_H

#include <stddef.h>

/* Record a formatted error message; returns -err (err is a positive errno) for tail calls. */
int lsk_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last recorded message, "" when none. */
const char *lsk_errmsg(void);
/* Forget the last message. */
void lsk_err_clear(void);

#endif
