/* Blocking work (database calls) off the event loop: work() runs on a worker thread, done() back on the event
 * loop thread that submitted the job (libuv uv_queue_work, nginx thread tasks). The rule: no gh_db_* call on a
 * loop thread. */
#ifndef GH_JOB_H
#define GH_JOB_H

#include <h2o.h>

typedef struct st_gh_job_t gh_job_t;
typedef void (*gh_job_fn)(gh_job_t *job);

struct st_gh_job_t {
    gh_job_fn work; /* worker thread; may block; must not touch req or any h2o object */
    /* Back on the loop thread, either done() (answers req if it is still there, then frees the job), or, when
     * done is NULL, the common shape every module had its own copy of: answer(job, req) when the client is
     * still there, then dispose(job) (always). */
    gh_job_fn done;
    void (*answer)(gh_job_t *job, h2o_req_t *req);
    gh_job_fn dispose;
    /* The request the job answers, or NULL: set by gh_job_submit(); reset to NULL if the client goes away
     * before done() runs (done() must then only free). */
    h2o_req_t *req;
    /* private */
    h2o_multithread_message_t _msg;
    void *_loop;
    void **_req_link;
    gh_job_t *_next;
};

/* Submit from a loop thread. The job memory is the caller's (heap, not req->pool: the worker may outlive the
 * request); it is owned by the system until done() runs. req may be NULL. */
void gh_job_submit(gh_job_t *job, h2o_req_t *req);
/* Run done(), or answer() + dispose(), on this (loop) thread: what the core does when a job comes back. */
void gh_job_finish(gh_job_t *job);
/* Run a job's work() and done() synchronously on this thread (for tools and tests without loops). */
void gh_job_run_inline(gh_job_t *job);
/* Whether this is an event-loop thread: gh_thread_is_loop() (include/gatehouse/thread.h). */

#endif
