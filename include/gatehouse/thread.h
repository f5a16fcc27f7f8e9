/* Which kind of thread is running: the rule "no database call on an event-loop thread" is checked with this. */
#ifndef GH_THREAD_H
#define GH_THREAD_H

/* Mark the calling thread as an event-loop thread (1) or not (0). */
void gh_thread_mark_loop(int on);
/* 1 on an event-loop thread. */
int gh_thread_is_loop(void);
/* In debug builds, abort with a message naming `what` when called on an event-loop thread. */
void gh_thread_assert_not_loop(const char *what);

#endif
