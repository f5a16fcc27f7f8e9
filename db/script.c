/* Schema scripts: statements end with `;` at the end of a line (the dbscripts are written that way, as are
 * WSO2's), so a `;` inside a literal or in the middle of a line does not split. Lines starting with `--` are
 * comments. Statements run unprepared: scripts are trusted files shipped with the binary, never input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db_int.h"
#include "gatehouse/mem.h"

static int blank(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; ++i)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static int run(gh_db_conn_t *conn, const char *stmt, int line, gh_err_t *err)
{
    gh_err_t e;
    char detail[sizeof(e.msg)];

    gh_err_clear(&e);
    if (conn->pool->drv->exec_script(conn->h, stmt, &e) == GH_OK)
        return GH_OK;
    if (e.code == GH_DB_E_CONN_LOST)
        gh_db_conn_drop(conn);
    snprintf(detail, sizeof(detail), "script statement at line %d failed: %.*s", line, (int)(sizeof(detail) - 64),
             e.msg);
    memcpy(e.msg, detail, sizeof(e.msg));
    return gh_db_fail(conn->pool, &e, err);
}

int gh_db_exec_script(gh_db_conn_t *conn, const char *script, gh_err_t *err)
{
    const char *p = script, *eol, *s, *e;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    int line = 0, first_line = 0, rc = GH_OK;

    if (conn->h == NULL && gh_db_conn_open(conn, err) != GH_OK)
        return GH_ERR;
    while (*p != '\0' && rc == GH_OK) {
        eol = strchr(p, '\n');
        n = eol != NULL ? (size_t)(eol - p) : strlen(p);
        line++;
        for (s = p; s < p + n && (*s == ' ' || *s == '\t'); ++s)
            ;
        if (!(s + 1 < p + n && s[0] == '-' && s[1] == '-') && !(len == 0 && blank(p, n))) {
            if (len == 0)
                first_line = line;
            if (len + n + 2 > cap) {
                cap = (len + n + 2) * 2;
                buf = gh_realloc(buf, cap);
            }
            memcpy(buf + len, p, n);
            len += n;
            buf[len++] = '\n';
            buf[len] = '\0';
            for (e = p + n; e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); --e)
                ;
            if (e > p && e[-1] == ';') {
                /* drop the terminating ';' and what follows it on the line */
                len -= (size_t)(p + n - e) + 2;
                buf[len] = '\0';
                if (!blank(buf, len))
                    rc = run(conn, buf, first_line, err);
                len = 0;
            }
        }
        p = eol != NULL ? eol + 1 : p + n;
    }
    if (rc == GH_OK && len > 0 && !blank(buf, len))
        rc = run(conn, buf, first_line, err); /* a last statement without ';' */
    free(buf);
    return rc;
}
