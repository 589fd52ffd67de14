// SPDX-License-Identifier: BSD-2-Clause
/* Inputs are checked by name before anything opens them; outputs go to a temporary file
 * beside the target, renamed over it only when complete, so a failed run leaves the target as
 * it was and never removes a file lskel did not create. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "safe_io.h"

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int lsk_check_input(const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st))
		return lsk_err(errno, "%s %s: %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lsk_err(EINVAL, "%s %s: is %s, not a regular file: refused", what, path,
			       kind_of(st.st_mode));
	if ((unsigned long long)st.st_size > LSK_MAX_INPUT)
		return lsk_err(EFBIG, "%s %s: %llu bytes, over the %llu MiB lskel reads: refused",
			       what, path, (unsigned long long)st.st_size, LSK_MAX_INPUT >> 20);
	if (access(path, R_OK))
		return lsk_err(errno, "%s %s: cannot read it: %s", what, path, strerror(errno));
	return 0;
}

/* A new empty file in @dir, exclusively ours; its name into o->tmp. */
static int make_tmp(struct lsk_out *o, const char *dir)
{
	int fd;

	if (asprintf(&o->tmp, "%s/.lskel-out-XXXXXX", dir) < 0) {
		o->tmp = NULL;
		return lsk_err(ENOMEM, "out of memory");
	}
	fd = mkostemp(o->tmp, O_CLOEXEC);	/* O_CREAT | O_EXCL, mode 0600 */
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		return lsk_err(e, "%s: cannot create a file in %s to write it: %s", o->path, dir,
			       strerror(e));
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		unlink(o->tmp);
		return lsk_err(ENOMEM, "out of memory");
	}
	return 0;
}

static int open_in_place(struct lsk_out *o)
{
	const char *td = getenv("TMPDIR");

	o->in_place = true;
	if (asprintf(&o->tmpdir, "%s/lskel-out-XXXXXX", td && td[0] ? td : "/tmp") < 0) {
		o->tmpdir = NULL;
		return lsk_err(ENOMEM, "out of memory");
	}
	if (!mkdtemp(o->tmpdir)) {
		int e = errno;

		free(o->tmpdir);
		o->tmpdir = NULL;
		return lsk_err(e, "cannot make a temporary directory: %s", strerror(e));
	}
	return make_tmp(o, o->tmpdir);
}

int lsk_out_open(struct lsk_out *o, const char *path)
{
	struct stat st;
	char *dup, *dir;
	mode_t um;
	int err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path) {
		o->f = stdout;
		return 0;
	}
	if (!path[0])
		return lsk_err(EINVAL, "an empty output path");
	um = umask(022);
	umask(um);
	o->mode = 0666 & ~um;
	if (!lstat(path, &st) && S_ISLNK(st.st_mode) && stat(path, &st))
		return lsk_err(errno, "%s: a symbolic link to nothing (%s): refused", path,
			       strerror(errno));
	if (!stat(path, &st)) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
			o->target = strdup(path);
			return o->target ? open_in_place(o) : lsk_err(ENOMEM, "out of memory");
		}
		if (!S_ISREG(st.st_mode))
			return lsk_err(EINVAL, "%s: is %s: not writing over it", path,
				       kind_of(st.st_mode));
		o->mode = st.st_mode & 07777;
		o->target = realpath(path, NULL);	/* a symlink is written through */
		if (!o->target)
			return lsk_err(errno, "%s: %s", path, strerror(errno));
	} else if (errno != ENOENT) {
		return lsk_err(errno, "%s: %s", path, strerror(errno));
	} else {
		o->target = strdup(path);
		if (!o->target)
			return lsk_err(ENOMEM, "out of memory");
	}
	dup = strdup(o->target);
	if (!dup)
		return lsk_err(ENOMEM, "out of memory");
	dir = dirname(dup);
	err = make_tmp(o, dir);
	free(dup);
	if (err) {
		free(o->target);
		o->target = NULL;
	}
	return err;
}

void lsk_out_by_name(struct lsk_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
}

/* Copy the finished temporary file into a character device or FIFO. */
static int copy_in(struct lsk_out *o)
{
	char buf[65536];
	struct stat st;
	ssize_t n;
	int in, out, err = 0;

	in = open(o->tmp, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return lsk_err(errno, "%s: %s", o->tmp, strerror(errno));
	out = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (out < 0) {
		err = lsk_err(errno, "%s: %s", o->path, strerror(errno));
		close(in);
		return err;
	}
	if (fstat(out, &st) || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		err = lsk_err(EINVAL, "%s: changed while lskel ran: refused", o->path);
	while (!err && (n = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (!err && n > 0) {
			ssize_t w = write(out, p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				err = lsk_err(w < 0 ? errno : EIO, "%s: write failed: %s", o->path,
					      strerror(w < 0 ? errno : EIO));
			else
				p += w, n -= w;
		}
	}
	close(in);
	if (close(out) && !err)
		err = lsk_err(EIO, "%s: write failed", o->path);
	return err;
}

int lsk_out_commit(struct lsk_out *o)
{
	int err = 0;

	if (o->f == stdout)
		return fflush(stdout) || ferror(stdout) ? lsk_err(EIO, "stdout: write failed") : 0;
	if (o->f) {
		if (fflush(o->f) || ferror(o->f))
			err = lsk_err(EIO, "%s: write failed", o->path);
		if (fclose(o->f) && !err)
			err = lsk_err(EIO, "%s: write failed", o->path);
		o->f = NULL;
	}
	if (!err && o->in_place)
		err = copy_in(o);
	else if (!err && chmod(o->tmp, o->mode))
		err = lsk_err(errno, "%s: %s", o->tmp, strerror(errno));
	else if (!err && rename(o->tmp, o->target))
		err = lsk_err(errno, "%s: cannot put the result in place: %s", o->path,
			      strerror(errno));
	if (!err && !o->in_place) {
		free(o->tmp);	/* it is the target now */
		o->tmp = NULL;
	}
	lsk_out_abort(o);
	return err;
}

void lsk_out_abort(struct lsk_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	if (o->tmpdir)
		rmdir(o->tmpdir);
	free(o->tmp);
	free(o->tmpdir);
	free(o->target);
	o->tmp = o->tmpdir = o->target = NULL;
}

int lsk_read_file(const char *path, void **buf, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t done = 0;
	struct stat st;

	*buf = NULL;
	if (fd < 0 || fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > LSK_MAX_INPUT) {
		close(fd);
		return lsk_err(EINVAL, "%s: not a regular file of at most %llu bytes", path,
			       LSK_MAX_INPUT);
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		errno = ENOMEM;
		goto fail;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)*buf + done, st.st_size - done);

		if (n <= 0) {
			errno = n ? errno : EIO;
			goto fail;
		}
		done += n;
	}
	close(fd);
	*size = done;
	return 0;
fail:
	free(*buf);
	*buf = NULL;
	if (fd >= 0)
		close(fd);
	return lsk_err(errno, "%s: cannot read: %s", path, strerror(errno));
}
