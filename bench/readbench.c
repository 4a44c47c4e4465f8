// SPDX-License-Identifier: GPL-2.0
/*
 * readbench: times reads the way make bench needs them, inside the guest.
 *
 *   readbench pair PATH SIZE FLOOR_PATH FLOOR_SIZE N
 *                                     ns per pread(fd, buf, SIZE, 0) of PATH
 *                                     and of FLOOR_PATH, timed in alternating
 *                                     batches so the host's noise falls on
 *                                     both alike
 *   readbench procsys N               ns per snapshot taken without us:
 *                                     open/read/close of the three sysctls
 *   readbench threads PATH THREADS N  reads/s over THREADS threads, each
 *                                     doing N preads of 64 bytes on its own fd
 *
 * Prints one JSON object. Loops are bounded; a short warm-up runs first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

/* n reads of size bytes at offset 0. */
static void preads(int fd, char *buf, size_t size, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (pread(fd, buf, size, 0) <= 0) {
			perror("pread");
			exit(1);
		}
	}
}

static void time_pair(const char *path, size_t size, const char *floor_path, size_t floor_size,
		      long n, double *ns, double *floor_ns)
{
	enum { batch = 1000 };
	char buf[4096];
	int fd = open_or_die(path), floor_fd = open_or_die(floor_path);
	double t, total = 0, floor_total = 0;
	long done;

	if (size > sizeof(buf) || floor_size > sizeof(buf) || n < batch) {
		fprintf(stderr, "readbench pair: SIZE and FLOOR_SIZE <= %zu, N >= %d\n",
			sizeof(buf), (int)batch);
		exit(2);
	}
	preads(fd, buf, size, n / 10); /* warm-up */
	preads(floor_fd, buf, floor_size, n / 10);
	for (done = 0; done < n; done += batch) {
		t = now_ns();
		preads(fd, buf, size, batch);
		total += now_ns() - t;
		t = now_ns();
		preads(floor_fd, buf, floor_size, batch);
		floor_total += now_ns() - t;
	}
	*ns = total / done;
	*floor_ns = floor_total / done;
	close(fd);
	close(floor_fd);
}

static void procsys_snapshot(void)
{
	static const char *const paths[] = {
		"/proc/sys/json-sysctl/a", "/proc/sys/json-sysctl/b", "/proc/sys/json-sysctl/c",
	};
	char buf[16];
	int i;

	for (i = 0; i < 3; i++) {
		int fd = open_or_die(paths[i]);

		if (read(fd, buf, sizeof(buf)) <= 0) {
			perror(paths[i]);
			exit(1);
		}
		close(fd);
	}
}

static double time_procsys(long n)
{
	double start;
	long i;

	if (n < 1) {
		fprintf(stderr, "readbench procsys: N >= 1\n");
		exit(2);
	}
	for (i = 0; i < n / 10; i++)
		procsys_snapshot();
	start = now_ns();
	for (i = 0; i < n; i++)
		procsys_snapshot();
	return (now_ns() - start) / n;
}

struct reader {
	pthread_t thread;
	const char *path;
	long n;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	char buf[64];
	int fd = open_or_die(r->path);

	preads(fd, buf, sizeof(buf), r->n);
	close(fd);
	return NULL;
}

static double reads_per_second(const char *path, int threads, long n)
{
	struct reader r[64];
	char buf[64];
	double start;
	int fd, i;

	if (threads < 1 || threads > 64)
		exit(2);
	fd = open_or_die(path); /* warm-up */
	preads(fd, buf, sizeof(buf), n / 10);
	close(fd);
	start = now_ns();
	for (i = 0; i < threads; i++) {
		r[i] = (struct reader){ .path = path, .n = n };
		pthread_create(&r[i].thread, NULL, reader_main, &r[i]);
	}
	for (i = 0; i < threads; i++)
		pthread_join(r[i].thread, NULL);
	return threads * n / ((now_ns() - start) / 1e9);
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "pair")) {
		double ns, floor_ns;

		time_pair(argv[2], atol(argv[3]), argv[4], atol(argv[5]), atol(argv[6]), &ns, &floor_ns);
		printf("{\"ns\": %.1f, \"floor_ns\": %.1f}\n", ns, floor_ns);
	} else if (argc == 3 && !strcmp(argv[1], "procsys"))
		printf("{\"ns\": %.1f}\n", time_procsys(atol(argv[2])));
	else if (argc == 5 && !strcmp(argv[1], "threads"))
		printf("{\"reads_per_s\": %.0f}\n",
		       reads_per_second(argv[2], atoi(argv[3]), atol(argv[4])));
	else {
		fprintf(stderr, "usage: see the comment at the top of readbench.c\n");
		return 2;
	}
	return 0;
}
