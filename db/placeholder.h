/* `?` placeholders: counting them and rewriting them as `$1..$n` for PostgreSQL (private to db/). A `?` in a
 * '...' or "..." literal (doubled quotes included) or in a -- or block comment is not a placeholder. */
#ifndef GH_DB_PLACEHOLDER_H
#define GH_DB_PLACEHOLDER_H

#include <stddef.h>

/* Number of placeholders in sql. */
size_t gh_db_placeholder_count(const char *sql);
/* New heap string with each placeholder replaced by $1, $2, ...; *count (may be NULL) gets their number.
 * The caller frees it. */
char *gh_db_placeholder_to_dollar(const char *sql, size_t *count);

#endif
