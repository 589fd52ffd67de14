// SPDX-License-Identifier: BSD-2-Clause
/* The semaphore-guarded probe of tests/usdt/target.c (sdt.h's semaphores are per file). */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short lskel_test_guarded_semaphore __attribute__((unused, section(".probes")));

unsigned int guarded(void);

/* Fires lskel_test:guarded when a tracer counted the semaphore up; returns its value. */
unsigned int guarded(void)
{
	unsigned int v = lskel_test_guarded_semaphore;

	if (lskel_test_guarded_semaphore)
		STAP_PROBE1(lskel_test, guarded, lskel_test_guarded_semaphore);
	return v;
}
