// SPDX-License-Identifier: GPL-2.0
/*
 * The fault sweeps' injector (userspace-tests/test_faults.py), run in the
 * guest: makes the N-th fault point of its own task fail
 * (/proc/thread-self/fail-nth: failslab, fail_page_alloc, fail_usercopy)
 * and makes the syscalls under test right after, with nothing in between
 * that could consume the count. fail-nth is per task and not inherited, so
 * the sweep cannot be driven from a shell or from Python itself.
 *
 *   fail_nth N load MODULE [PARAMS]  finit_module(MODULE)
 *   fail_nth N read PATH             open(PATH), read(4096) to the end, close
 *   fail_nth N write PATH VALUE      open(PATH, O_WRONLY), one write(VALUE), close
 *   fail_nth N mount TYPE DIR        mount("none", DIR, TYPE), then umount(DIR)
 *
 * The module file is opened before the count starts and closed after it
 * stops: opening and closing it is not part of loading (the sweep loads a
 * copy on tmpfs for the same reason: on the guest's 9p root, each read and
 * close makes allocations of 9p's own).
 *
 * N = 0 injects nothing. Prints one line:
 *   errno=E op=OP injected=I left=L data=HEX
 * E is 0 or the errno of the first call that failed (OP names it: after a
 * failed umount, DIR stays mounted), I is 1
 * when the N-th fault point was reached during the calls (the fault was
 * injected), L what was left of the count after them (0 when injected: else
 * the calls passed N - L fault points, so a large N counts a path's points
 * without failing any; meaningless for N = 0) and HEX what read()
 * returned. Exits 0 unless it could not set up the test (2, with the reason
 * on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "fail_nth: %s: %s\n", what, strerror(errno));
	exit(2);
}

int main(int argc, char **argv)
{
	const char *op = "-";
	unsigned char data[4096];
	size_t len = 0;
	int err = 0, fd = -1, ko = -1, nth = -1, injected = 0, left = 0, want;
	char num[32];
	ssize_t n;

	if (argc < 4 ||
	    ((strcmp(argv[2], "write") == 0 || strcmp(argv[2], "mount") == 0) && argc != 5)) {
		fprintf(stderr, "usage: fail_nth N load MODULE [PARAMS] | N read PATH |"
				" N write PATH VALUE | N mount TYPE DIR\n");
		return 2;
	}
	want = atoi(argv[1]);
	if (want > 0) {
		nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (nth < 0)
			die("/proc/thread-self/fail-nth (a kernel with CONFIG_FAULT_INJECTION?)");
	}
	if (strcmp(argv[2], "load") == 0) {
		ko = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (ko < 0)
			die(argv[3]);
	}
	n = snprintf(num, sizeof(num), "%s", argv[1]);
	if (want > 0 && write(nth, num, n) != n)
		die("writing fail-nth");

	if (strcmp(argv[2], "load") == 0) {
		op = "finit_module";
		if (syscall(SYS_finit_module, ko, argc > 4 ? argv[4] : "", 0) != 0)
			err = errno;
	} else if (strcmp(argv[2], "read") == 0) {
		op = "open";
		fd = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
		} else {
			op = "read";
			while ((n = read(fd, data + len, sizeof(data) - len)) > 0)
				len += n;
			if (n < 0)
				err = errno;
		}
	} else if (strcmp(argv[2], "write") == 0) {
		op = "open";
		fd = open(argv[3], O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
		} else {
			op = "write";
			n = write(fd, argv[4], strlen(argv[4]));
			if (n < 0)
				err = errno;
			else if ((size_t)n != strlen(argv[4]))
				err = EIO; /* a short write: the sweep fails on it */
		}
	} else if (strcmp(argv[2], "mount") == 0) {
		op = "mount";
		if (mount("none", argv[4], argv[3], 0, NULL) != 0) {
			err = errno;
		} else {
			op = "umount";
			if (umount(argv[4]) != 0)
				err = errno;
		}
	} else {
		fprintf(stderr, "fail_nth: unknown operation %s\n", argv[2]);
		return 2;
	}
	if (fd >= 0 && close(fd) != 0 && !err) {
		op = "close";
		err = errno;
	}

	/*
	 * What is left of the count: 0 when the fault was injected. Reading
	 * it reaches a copy_to_user, itself a fault point (after the value is
	 * taken): a read that fails with EFAULT was the N-th point, so the
	 * calls left 1 and nothing was injected during them.
	 */
	if (want > 0) {
		n = pread(nth, num, sizeof(num) - 1, 0);
		if (n < 0 && errno != EFAULT)
			die("reading fail-nth");
		left = n > 0 ? atoi((num[n] = 0, num)) : 1;
		injected = n > 0 && left == 0;
		/*
		 * Stop a count still running, or it fails an allocation or
		 * copy of printf() or exit() below (the write's own copy
		 * may be the one that fails: the count is spent then too).
		 */
		if (pwrite(nth, "0", 1, 0) < 0 && errno != EFAULT)
			die("resetting fail-nth");
	}
	if (ko >= 0)
		close(ko);
	printf("errno=%d op=%s injected=%d left=%d data=", err, err ? op : "-", injected, left);
	for (size_t i = 0; i < len; i++)
		printf("%02x", data[i]);
	printf("\n");
	return 0;
}
