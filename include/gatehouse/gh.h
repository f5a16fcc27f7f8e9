/* Gatehouse: status codes and small attributes shared by every module. Keep this tiny. */
#ifndef GH_H
#define GH_H

#define GH_VERSION "0.1.0"

/* Status codes (nginx NGX_OK/NGX_ERROR/NGX_AGAIN/NGX_DECLINED/NGX_DONE). */
enum { GH_OK = 0, GH_ERR = -1, GH_AGAIN = -2, GH_DECLINED = -3, GH_DONE = -4 };

#define GH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define GH_UNUSED __attribute__((unused))
#define GH_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* For bugs only, never for input: stays on in release builds (Redis serverAssert). */
void gh_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define gh_assert(e) ((e) ? (void)0 : gh_assert_fail(#e, __FILE__, __LINE__))

#endif
