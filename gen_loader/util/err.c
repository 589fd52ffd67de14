// SPDX-License-Identifier: BSD-2-Clause
/* Thread-local storage for the most recent error message. */
#include <stdarg.h>
#include <stdio.h>
#include "err.h"

static _Thread_local char errbuf[1024];

int lsk_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -err;
}

const char *lsk_errmsg(void)
{
	return errbuf;
}

void lsk_err_clear(void)
{
	errbuf[0] = '\0';
}
