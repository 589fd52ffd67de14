// SPDX-License-Identifier: BSD-2-Clause
/* tool_found(): $PATH searched the way the shell does, for a plain program name. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tool.h"

bool tool_found(const char *name)
{
	const char *p = getenv("PATH");
	char path[4096];
	struct stat st;

	if (!p || !p[0])
		p = "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		size_t len = strcspn(p, ":");

		/* an empty entry is the current directory, as for the shell */
		snprintf(path, sizeof(path), "%.*s/%s", len ? (int)len : 1, len ? p : ".", name);
		if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
			return true;
		if (!p[len])
			break;
		p += len + 1;
	}
	return false;
}
