/* Gatehouse: status codes and small attributes shared by every module. Keep this tiny. */
#ifndef GH_H
#define GH_H

#define GH_VERSION "0.1.0"

/* Status codes (nginx NGX_OK/NGX_ERROR/NGX_AGAIN/NGX_DECLINED/NGX_DONE). */
enum { GH_OK = 0, GH_ERR = -1, GH_AGAIN = -2, GH_DECLINED = -3, GH_DONE = -4 };

#define GH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define GH_UNUSED __attribute__((unused))
#define GH_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
