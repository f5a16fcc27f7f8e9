#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "gatehouse/diag.h"
#include "gatehouse/mem.h"

void gh_diag_add(gh_diag_list_t *d, gh_diag_level_t level, const char *file, int line, const char *element,
                 const char *fmt, ...)
{
    gh_diag_t *g;
    va_list ap;
    char msg[1024];

    if (d == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = gh_realloc(d->items, d->cap * sizeof(*d->items));
    }
    g = &d->items[d->n++];
    g->level = level;
    g->file = gh_strdup(file != NULL ? file : "?");
    g->line = line;
    g->element = gh_strdup(element);
    g->msg = gh_strdup(msg);
    if (level == GH_DIAG_ERROR)
        d->n_errors++;
    else
        d->n_warnings++;
}

void gh_diag_format(const gh_diag_t *g, char *buf, size_t size)
{
    const char *lvl = g->level == GH_DIAG_ERROR ? "error" : "warning";

    if (g->line > 0 && g->element != NULL)
        snprintf(buf, size, "%s:%d: %s: <%s>: %s", g->file, g->line, lvl, g->element, g->msg);
    else if (g->line > 0)
        snprintf(buf, size, "%s:%d: %s: %s", g->file, g->line, lvl, g->msg);
    else if (g->element != NULL)
        snprintf(buf, size, "%s: %s: <%s>: %s", g->file, lvl, g->element, g->msg);
    else
        snprintf(buf, size, "%s: %s: %s", g->file, lvl, g->msg);
}

void gh_diag_print(const gh_diag_list_t *d, FILE *out)
{
    char buf[2048];
    size_t i;

    for (i = 0; i < d->n; ++i) {
        gh_diag_format(&d->items[i], buf, sizeof(buf));
        fprintf(out, "%s\n", buf);
    }
}

void gh_diag_dispose(gh_diag_list_t *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; ++i) {
        free(d->items[i].file);
        free(d->items[i].element);
        free(d->items[i].msg);
    }
    free(d->items);
    d->items = NULL;
    d->n = d->cap = d->n_errors = d->n_warnings = 0;
}
