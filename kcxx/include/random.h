// SPDX-License-Identifier: GPL-2.0
// DOC: random.h - the kernel's random number generator.
//
// C header: kcxx/glue.c (get_random_bytes_wait(), add_device_randomness()).
//
// get_random_bytes_wait() fills kernel memory from the generator that
// /dev/urandom and getrandom(2) read, once it is seeded; nothing a module
// could add makes its bytes easier to guess. add_device_randomness() stirs
// bytes into the generator's input pool without crediting them as entropy,
// as a driver does with a serial number: bytes anyone can write are safe to
// mix in. Neither allocates.
#pragma once

#include "glue.h"
#include "result.h"
#include "types.h"

namespace kcxx {

/**
 * get_random_bytes_wait() - fill buffer with random bytes.
 * Waits first until the generator is seeded, interruptibly; on a booted
 * system it is.
 *
 * Return: nothing. Fails with ERESTARTSYS when a signal ended the wait;
 * buffer is then filled, but with bytes not to be used.
 */
inline Result<void> get_random_bytes_wait(Span<char> buffer)
{
	return to_result(kcxx_get_random_bytes_wait(buffer.data(), buffer.size()));
}

/**
 * add_device_randomness() - mix bytes into the generator's input pool.
 * Credits no entropy, so any bytes are safe, a user's included.
 */
inline void add_device_randomness(Span<const char> bytes)
{
	kcxx_add_device_randomness(bytes.data(), bytes.size());
}

} // namespace kcxx
