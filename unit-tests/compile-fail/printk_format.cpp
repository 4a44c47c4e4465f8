// SPDX-License-Identifier: GPL-2.0
// printk.h checks each format against its arguments at compile time. As
// it is, this file compiles; each case below, defined, must fail with the
// error its `expect:` line names (unit-tests/compile_fail.py).
#include "printk.h"

using namespace kcxx;

void formats_that_match(const char* name, void* where, unsigned char byte, bool flag)
{
	pr_info("Single element printk");
	pr_info("");
	pr_info("printk with %d parameters%s", 2, "!");
	pr_err("%s: %zu bytes at %p, %lld, %llu, %ld, %lu, %c, %u, %d", name, sizeof(int), where,
	       1LL, 2ULL, 3L, 4UL, 'x', byte, flag);
	pr_warn("%-8d|%08x|%.3s|%%", -1, 255u, name);
}

#if defined(ARGUMENT_TYPE)
// expect: an_argument_does_not_match_its_conversion
void wrong() { pr_info("%d", "two"); }
#elif defined(LONG_FOR_INT)
// expect: an_argument_does_not_match_its_conversion
void wrong() { pr_info("%d", 2L); }
#elif defined(TOO_FEW_ARGUMENTS)
// expect: the_format_has_more_conversions_than_arguments
void wrong() { pr_info("printk with %d parameters%s", 2); }
#elif defined(TOO_MANY_ARGUMENTS)
// expect: the_format_has_fewer_conversions_than_arguments
void wrong() { pr_info("Single element printk", 2); }
#elif defined(POINTER_EXTENSION)
// expect: the_conversion_is_not_supported
void wrong(void* p) { pr_info("%pS", p); }
#elif defined(STAR_WIDTH)
// expect: the_conversion_is_not_supported
void wrong() { pr_info("%*d", 4, 2); }
#elif defined(NOT_A_LITERAL)
// expect: could not convert
void wrong(const char* format) { pr_info(format); }
#endif
