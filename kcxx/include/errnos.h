/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DOC: errnos.h - the errno values the C++ side names, defined once.
 *
 * C header: the kernel's include/uapi/asm-generic/errno-base.h and errno.h,
 * which x86-64 and arm64 use.
 *
 * KCXX_ERRNOS(X) calls X(name, value) for each; valid C and C++, and no
 * kernel header. result.h makes each a function returning its Error
 * (EINVAL()), the host unit tests use the same values, and glue.c checks
 * every one against the kernel's own at compile time.
 */
#ifndef KCXX_ERRNOS_H
#define KCXX_ERRNOS_H

#define KCXX_ERRNOS(X)   \
	X(EPERM, 1)      \
	X(ENOENT, 2)     \
	X(EINTR, 4)      \
	X(EIO, 5)        \
	X(ENXIO, 6)      \
	X(EAGAIN, 11)    \
	X(ENOMEM, 12)    \
	X(EACCES, 13)    \
	X(EFAULT, 14)    \
	X(EBUSY, 16)     \
	X(EEXIST, 17)    \
	X(ENODEV, 19)    \
	X(EINVAL, 22)    \
	X(ENOSPC, 28)    \
	X(ESPIPE, 29)    \
	X(ERANGE, 34)    \
	X(ENOSYS, 38)    \
	X(EOVERFLOW, 75) \
	X(ECANCELED, 125)

#endif /* KCXX_ERRNOS_H */
