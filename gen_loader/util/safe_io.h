/* SPDX-License-Identifier: BSD-2-Clause */
/* Files the command line names: inputs checked before anything reads them, outputs written
 * beside their target and renamed into place only when complete. */
#ifndef LSK_SAFE_IO_H
#define LSK_SAFE_IO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Largest input file lskel reads (objects, containers, headers, certificates, specs). */
#define LSK_MAX_INPUT (256ULL << 20)

/* Refuse @path, described as @what ("object", "certificate", ...), unless it is a readable
 * regular file of at most LSK_MAX_INPUT bytes. Opens nothing: a FIFO cannot block it. */
int lsk_check_input(const char *path, const char *what);

/* An output being written. */
struct lsk_out {
	const char *path;	/* as given; NULL: stdout */
	char *target;		/* the file replaced (symlinks followed) */
	char *tmp;		/* the file written: a writer by name writes here */
	char *tmpdir;		/* in-place targets: the private directory holding tmp */
	FILE *f;		/* open on tmp (or stdout) */
	mode_t mode;		/* the final file's mode */
	bool in_place;		/* a character device or FIFO: copied into, never replaced */
};

/* Start writing @path (NULL: stdout). A regular file (or none yet) gets a new temporary
 * file beside it (O_EXCL), renamed over it by lsk_out_commit; a character device or FIFO is
 * written into at commit; a directory, block device or socket is refused. */
int lsk_out_open(struct lsk_out *o, const char *path);
/* For writers that take a file name (libbpf's linker, clang): close the stream, keep tmp. */
void lsk_out_by_name(struct lsk_out *o);
/* Put the result in place; on failure nothing but the temporary file is removed. */
int lsk_out_commit(struct lsk_out *o);
/* Give up: remove the temporary file (and only what lsk_out_open made). */
void lsk_out_abort(struct lsk_out *o);

/* A file lskel itself wrote (a temporary link or build result) read whole into *buf
 * (malloc'ed, at least one byte) of *size bytes; at most LSK_MAX_INPUT. */
int lsk_read_file(const char *path, void **buf, size_t *size);

#endif
