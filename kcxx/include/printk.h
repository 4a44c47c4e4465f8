// SPDX-License-Identifier: GPL-2.0
// DOC: printk.h - the kernel log, each format checked against its arguments
// at compile time.
//
// C header: kcxx/glue.c (printk()).
//
// pr_info("printk with %d parameters%s", 2, "!") logs one record at
// KERN_INFO, exactly that text and no prefix (no pr_fmt), and its newline;
// pr_err(), pr_warn() and pr_notice() log at their levels. The kernel
// formats it (vsnprintf), so the format is printk's; Format<Args...> parses
// it during compilation, and a conversion that does not match its argument,
// or a count that differs, fails to compile, naming what is wrong:
//
//	pr_info("%d", "two"); // error: call to non-'constexpr' function
//	                      // 'void kcxx::format_error::an_argument_does_not_match_its_conversion()'
//
// The conversions, with flags, width and precision as digits: %d %i (int,
// or a smaller signed type or bool, which the call promotes to int), %u %x
// %X %o (unsigned int, or a smaller unsigned type), %c (int, char), %ld
// %li (long), %lu %lx %lX (unsigned long), %lld %lli (long long), %llu %llx
// %llX (unsigned long long), %zu %zx (size_t), %zd (a signed size, long),
// %s (a string), %p (any pointer, printed hashed as printk does) and %%.
// The kernel's %p extensions (%pS, %pV, ...) and a width or precision of
// `*` are refused: nothing would check what they read.
#pragma once

#include "glue.h"
#include "types.h"

namespace kcxx {

enum class LogLevel : u32 {
	Error = KCXX_LOGLEVEL_ERR,
	Warning = KCXX_LOGLEVEL_WARNING,
	Notice = KCXX_LOGLEVEL_NOTICE,
	Info = KCXX_LOGLEVEL_INFO,
};

// Called only where a format does not match its arguments. None is
// constexpr, so reaching one while Format's constructor runs at compile
// time is a compile error that names it.
namespace format_error {
void the_format_has_more_conversions_than_arguments();
void the_format_has_fewer_conversions_than_arguments();
void an_argument_does_not_match_its_conversion();
void the_conversion_is_not_supported();
void the_format_has_too_many_conversions();
} // namespace format_error

namespace format_detail {

enum class Want {
	Int,
	Uint,
	Long,
	Ulong,
	LongLong,
	UlongLong,
	Size,
	SignedSize,
	Char,
	String,
	Pointer
};

struct Conversions {
	static constexpr size_t capacity = 16;
	Want want[capacity] = {};
	size_t count = 0;
};

template <typename T> inline constexpr bool is_pointer = false;
template <typename T> inline constexpr bool is_pointer<T*> = true;

template <typename T> consteval bool accepts(Want want)
{
	switch (want) {
	case Want::Int:
		return __is_same(T, int) || __is_same(T, short) || __is_same(T, signed char) ||
		       __is_same(T, bool);
	case Want::Uint:
		return __is_same(T, unsigned int) || __is_same(T, unsigned short) ||
		       __is_same(T, unsigned char);
	case Want::Long:
	case Want::SignedSize:
		return __is_same(T, long);
	case Want::Ulong:
		return __is_same(T, unsigned long);
	case Want::LongLong:
		return __is_same(T, long long);
	case Want::UlongLong:
		return __is_same(T, unsigned long long);
	case Want::Size:
		return __is_same(T, size_t);
	case Want::Char:
		return __is_same(T, int) || __is_same(T, char);
	case Want::String:
		return __is_same(T, const char*) || __is_same(T, char*);
	case Want::Pointer:
		return is_pointer<T>;
	}
	return false;
}

constexpr bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

constexpr bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// What each conversion of text wants, in order. Only Format's consteval
// constructor calls it, so it runs at compile time; constexpr, not
// consteval, because clangd 14 (make lint) rejects a consteval call there.
constexpr Conversions parse(const char* text)
{
	Conversions out;
	for (const char* c = text; *c; c++) {
		if (*c != '%')
			continue;
		c++;
		if (*c == '%')
			continue;
		while (*c == '-' || *c == '+' || *c == ' ' || *c == '#' || *c == '0')
			c++;
		while (is_digit(*c))
			c++;
		if (*c == '.') {
			c++;
			while (is_digit(*c))
				c++;
		}
		int longs = 0;
		while (*c == 'l' && longs < 2) {
			longs++;
			c++;
		}
		const bool size = !longs && *c == 'z';
		if (size)
			c++;
		Want want = Want::Int;
		switch (*c) {
		case 'd':
		case 'i':
			want = size	  ? Want::SignedSize :
			       longs == 2 ? Want::LongLong :
			       longs	  ? Want::Long :
					    Want::Int;
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			want = size	  ? Want::Size :
			       longs == 2 ? Want::UlongLong :
			       longs	  ? Want::Ulong :
					    Want::Uint;
			break;
		case 'c':
		case 's':
		case 'p':
			// printk reads the letters after %p as an extension.
			if (longs || size || (*c == 'p' && is_alnum(c[1])))
				format_error::the_conversion_is_not_supported();
			want = *c == 'c' ? Want::Char : *c == 's' ? Want::String : Want::Pointer;
			break;
		default:
			format_error::the_conversion_is_not_supported();
		}
		if (out.count == Conversions::capacity)
			format_error::the_format_has_too_many_conversions();
		out.want[out.count++] = want;
	}
	return out;
}

} // namespace format_detail

// A printk format whose conversions match Args, checked when it is made from
// a string literal: at compile time.
template <typename... Args> class Format {
public:
	template <size_t N> consteval Format(const char (&text)[N]) : m_text(text)
	{
		using namespace format_detail;
		const Conversions conversions = parse(text);
		if (conversions.count > sizeof...(Args))
			format_error::the_format_has_more_conversions_than_arguments();
		if (conversions.count < sizeof...(Args))
			format_error::the_format_has_fewer_conversions_than_arguments();
		size_t i = 0;
		((accepts<Args>(conversions.want[i++]) ||
		  (format_error::an_argument_does_not_match_its_conversion(), false)),
		 ...);
	}

	constexpr const char* text() const { return m_text; }

private:
	const char* m_text;
};

template <typename T> struct TypeIdentity {
	using Type = T;
};
// Args come from the arguments alone; the format is then checked against them.
template <typename... Args> using FormatFor = Format<typename TypeIdentity<Args>::Type...>;

/**
 * printk() - log one record at level: format with args, and a newline.
 */
template <typename... Args> void printk(LogLevel level, FormatFor<Args...> format, Args... args)
{
	kcxx_printk(static_cast<u32>(level), format.text(), args...);
}

template <typename... Args> void pr_err(FormatFor<Args...> format, Args... args)
{
	printk<Args...>(LogLevel::Error, format, args...);
}

template <typename... Args> void pr_warn(FormatFor<Args...> format, Args... args)
{
	printk<Args...>(LogLevel::Warning, format, args...);
}

template <typename... Args> void pr_notice(FormatFor<Args...> format, Args... args)
{
	printk<Args...>(LogLevel::Notice, format, args...);
}

template <typename... Args> void pr_info(FormatFor<Args...> format, Args... args)
{
	printk<Args...>(LogLevel::Info, format, args...);
}

} // namespace kcxx
