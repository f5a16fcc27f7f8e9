#include <stdlib.h>
#include "gatehouse/log.h"
#include "gatehouse/thread.h"

static __thread int on_loop;

void gh_thread_mark_loop(int on)
{
    on_loop = on;
}

int gh_thread_is_loop(void)
{
    return on_loop;
}

void gh_thread_assert_not_loop(const char *what)
{
#ifndef NDEBUG
    if (on_loop) {
        /* a blocking call here would stall every connection of this loop: a bug, caught in debug builds */
        gh_log_write(GH_LOG_CRIT, "core", "%s called on an event-loop thread; use gh_job_submit()", what);
        abort();
    }
#else
    (void)what;
#endif
}
