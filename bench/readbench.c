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
 *   readbench writes N POLLERS        N sysctl writes that change a value
 *                                     (/proc/sys/json-sysctl/a, 0 and 1 in
 *                                     turn) and N that change nothing, each
 *                                     made while POLLERS threads sleep in
 *                                     poll(POLLPRI) on their own /dev/json:
 *                                     the median ns of each write(), and the
 *                                     wake-up latency from the start of a
 *                                     changing write to a poller's return
 *                                     from poll() (median, worst, and the
 *                                     median over writes of the last poller's)
 *
 * Prints one JSON object. Loops are bounded; a short warm-up runs first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
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
		"/proc/sys/json-sysctl/a",
		"/proc/sys/json-sysctl/b",
		"/proc/sys/json-sysctl/c",
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

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *values, long n)
{
	qsort(values, n, sizeof(*values), compare_doubles);
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct poller {
	pthread_t thread;
	pid_t tid;
	int fd;
	long n;
	double *returned; /* [n]: when poll() returned for change i */
	volatile long changes_seen;
};

/* Sleeps in poll() for POLLPRI, notes when it returned, re-reads; n times. */
static void *poller_main(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLPRI };
	char buf[64];
	long i;

	__atomic_store_n(&p->tid, gettid(), __ATOMIC_RELEASE);
	for (i = 0; i < p->n; i++) {
		if (poll(&pfd, 1, 60000) != 1) {
			fprintf(stderr, "readbench writes: no POLLPRI within 60 s\n");
			exit(1);
		}
		p->returned[i] = now_ns();
		if (pread(p->fd, buf, sizeof(buf), 0) <= 0) {
			perror("pread");
			exit(1);
		}
		__atomic_store_n(&p->changes_seen, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Whether the thread is asleep ('S'), as it is inside poll(). */
static int asleep(pid_t tid)
{
	char path[64], stat[512], *state;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open_or_die(path);
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	stat[n] = 0;
	state = strrchr(stat, ')');
	return state && state[1] == ' ' && state[2] == 'S';
}

static void time_writes(long n, int pollers)
{
	int fd = open("/proc/sys/json-sysctl/a", O_WRONLY);
	double *write_ns = calloc(n, sizeof(double)), *same_ns = calloc(n, sizeof(double));
	double *wake_ns = calloc(n * (pollers ? pollers : 1), sizeof(double));
	double *last_ns = calloc(n, sizeof(double));
	struct poller *p = calloc(pollers ? pollers : 1, sizeof(*p));
	double t, worst = 0;
	long i, k = 0;
	int j;

	if (fd < 0 || !write_ns || !same_ns || !wake_ns || !last_ns || !p || n < 1 || pollers < 0) {
		fprintf(stderr, "readbench writes: N >= 1, POLLERS >= 0, jsonsysctl loaded\n");
		exit(2);
	}
	if (pwrite(fd, "0", 1, 0) != 1) { /* start from a known value */
		perror("write");
		exit(1);
	}
	for (j = 0; j < pollers; j++) {
		p[j].fd = open_or_die("/dev/json");
		p[j].n = n;
		p[j].returned = calloc(n, sizeof(double));
		if (!p[j].returned)
			exit(1);
		pthread_create(&p[j].thread, NULL, poller_main, &p[j]);
	}
	for (i = 0; i < n; i++) {
		/* Every poller has seen the last change and sleeps again. */
		for (j = 0; j < pollers; j++)
			while (__atomic_load_n(&p[j].changes_seen, __ATOMIC_ACQUIRE) < i ||
			       !__atomic_load_n(&p[j].tid, __ATOMIC_ACQUIRE) || !asleep(p[j].tid))
				sched_yield();
		/* The value it has (0 before write 0, then what write i-1 stored). */
		t = now_ns();
		if (pwrite(fd, i % 2 ? "1" : "0", 1, 0) != 1) {
			perror("write");
			exit(1);
		}
		same_ns[i] = now_ns() - t;
		t = now_ns();
		if (pwrite(fd, i % 2 ? "0" : "1", 1, 0) != 1) {
			perror("write");
			exit(1);
		}
		write_ns[i] = now_ns() - t;
		last_ns[i] = 0;
		for (j = 0; j < pollers; j++) {
			while (__atomic_load_n(&p[j].changes_seen, __ATOMIC_ACQUIRE) <= i)
				sched_yield();
			wake_ns[k] = p[j].returned[i] - t;
			if (wake_ns[k] > last_ns[i])
				last_ns[i] = wake_ns[k];
			if (wake_ns[k] > worst)
				worst = wake_ns[k];
			k++;
		}
	}
	for (j = 0; j < pollers; j++) {
		pthread_join(p[j].thread, NULL);
		close(p[j].fd);
	}
	printf("{\"write_ns\": %.1f, \"same_write_ns\": %.1f", median(write_ns, n),
	       median(same_ns, n));
	if (pollers)
		printf(", \"wake_ns\": %.1f, \"wake_max_ns\": %.1f, \"wake_last_ns\": %.1f",
		       median(wake_ns, k), worst, median(last_ns, n));
	printf("}\n");
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "pair")) {
		double ns, floor_ns;

		time_pair(argv[2], atol(argv[3]), argv[4], atol(argv[5]), atol(argv[6]), &ns,
			  &floor_ns);
		printf("{\"ns\": %.1f, \"floor_ns\": %.1f}\n", ns, floor_ns);
	} else if (argc == 3 && !strcmp(argv[1], "procsys"))
		printf("{\"ns\": %.1f}\n", time_procsys(atol(argv[2])));
	else if (argc == 4 && !strcmp(argv[1], "writes"))
		time_writes(atol(argv[2]), atoi(argv[3]));
	else if (argc == 5 && !strcmp(argv[1], "threads"))
		printf("{\"reads_per_s\": %.0f}\n",
		       reads_per_second(argv[2], atoi(argv[3]), atol(argv[4])));
	else {
		fprintf(stderr, "usage: see the comment at the top of readbench.c\n");
		return 2;
	}
	return 0;
}
