// SPDX-License-Identifier: GPL-2.0
/*
 * jsonwatch: prints /dev/json, then again every time a value changes.
 *
 *   jsonwatch [FILE]      FILE defaults to /dev/json
 *
 * Like `inotifywait -m`, it runs until killed and uses no timer: it sleeps
 * in poll() until the module reports POLLPRI (the values differ from the
 * document this open file last served), then reads the document again from
 * offset 0, which clears the news. A value changed and changed back before
 * it looks is no change, and prints nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int print_document(int fd, const char *path)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	if (n < 0) {
		fprintf(stderr, "jsonwatch: read %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(buf, 1, n, stdout) != (size_t)n || fflush(stdout))
		return -1; /* stdout went away: nobody to print to */
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/json";
	struct pollfd pfd = {.events = POLLPRI};

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: jsonwatch [FILE]   (FILE: /dev/json)\n");
		return 2;
	}
	pfd.fd = open(path, O_RDONLY);
	if (pfd.fd < 0) {
		fprintf(stderr, "jsonwatch: %s: %s%s\n", path, strerror(errno),
			errno == ENOENT ? " (is jsonsysctl.ko loaded?)" : "");
		return 1;
	}
	if (print_document(pfd.fd, path))
		return 1;
	for (;;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "jsonwatch: poll %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, "jsonwatch: %s: poll reports %#x\n", path, pfd.revents);
			return 1;
		}
		if ((pfd.revents & POLLPRI) && print_document(pfd.fd, path))
			return 1;
	}
}
