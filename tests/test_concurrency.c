// SPDX-License-Identifier: BSD-2-Clause
/* Concurrency and fd limits: 16 threads each run 100 open_and_load / attach / destroy cycles
 * of a skeleton, all succeed and nothing leaks; with RLIMIT_NOFILE's soft limit low the
 * runtime raises it (hard limit allowing) and a 2,001-fd load succeeds; with the hard limit
 * low too the load fails with a message naming the op, and leaves nothing behind. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "tp_counter.lskel.h"
#include "scale1000.lskel.h"
#include "kstate.h"

#define THREADS 16
#define CYCLES 100

static void *cycles(void *arg)
{
	long failures = 0;
	int i;

	(void)arg;
	for (i = 0; i < CYCLES; i++) {
		struct tp_counter *s = tp_counter__open_and_load();

		if (!s || tp_counter__attach(s))
			failures++;
		tp_counter__destroy(s);
	}
	return (void *)failures;
}

static void test_threads(void **state)
{
	struct id_set before[4] = {};
	pthread_t th[THREADS];
	int fds0 = count_fds(), i;
	char left[512];
	long total = 0;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, cycles, NULL), 0);
	for (i = 0; i < THREADS; i++) {
		void *r;

		assert_int_equal(pthread_join(th[i], &r), 0);
		total += (long)r;
	}
	assert_int_equal(total, 0);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
	print_message("  %d threads x %d open_and_load/attach/destroy cycles\n", THREADS, CYCLES);
}

/* In a child: set the limits, load the 1,000-map skeleton, report through the exit code. */
static int child_load(rlim_t soft, rlim_t hard, char *msg, size_t n)
{
	int pipefd[2], status;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit r = { soft, hard };
		struct scale1000 *s;
		int rc;

		close(pipefd[0]);
		if (setrlimit(RLIMIT_NOFILE, &r))
			_exit(3);
		s = scale1000__open();
		if (!s)
			_exit(4);
		rc = scale1000__load(s) ? 1 : 0;
		if (write(pipefd[1], s->ctx.errmsg, strlen(s->ctx.errmsg)) < 0)
			_exit(5);
		scale1000__destroy(s);
		_exit(rc);
	}
	close(pipefd[1]);
	memset(msg, 0, n);
	if (read(pipefd[0], msg, n - 1) < 0)
		msg[0] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_rlimit(void **state)
{
	struct id_set before[4] = {};
	char msg[512], left[512];

	(void)state;
	/* soft limit too low, hard limit room enough: the runtime raises the soft limit */
	assert_int_equal(child_load(64, 8192, msg, sizeof(msg)), 0);
	/* both too low: a clear error, naming the op, and nothing stays */
	assert_int_equal(ids_snapshot(before), 0);
	assert_int_equal(child_load(256, 256, msg, sizeof(msg)), 1);
	print_message("  RLIMIT_NOFILE 256: %s\n", msg);
	assert_non_null(strstr(msg, "Too many open files"));
	assert_true(!strncmp(msg, "op ", 3));
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	ids_free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_rlimit),
	};

	return cmocka_run_group_tests_name("concurrency and fd limits", tests, NULL, NULL);
}
