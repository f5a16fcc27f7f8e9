/* The worker pool that runs blocking work (database calls) for the event loops. A finished job is posted back
 * to the loop that submitted it through h2o's multithread queue, so done() runs on the loop thread. */
#include <stdlib.h>
#include <string.h>
#include "core_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/thread.h"

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gh_job_t *head, *tail;
    pthread_t *tids;
    int n;
    int stopping;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static __thread gh_loop_t *current_loop;

static void *worker_main(void *arg)
{
    gh_job_t *job;

    (void)arg;
    for (;;) {
        pthread_mutex_lock(&pool.mu);
        while (pool.head == NULL && !pool.stopping)
            pthread_cond_wait(&pool.cv, &pool.mu);
        if ((job = pool.head) == NULL) {
            pthread_mutex_unlock(&pool.mu);
            return NULL;
        }
        if ((pool.head = job->_next) == NULL)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.mu);
        job->work(job);
        h2o_multithread_send_message(&((gh_loop_t *)job->_loop)->job_receiver, &job->_msg);
    }
}

void gh_jobs_start(int n)
{
    int i;

    pool.stopping = 0;
    pool.n = n;
    pool.tids = gh_calloc((size_t)n, sizeof(*pool.tids));
    for (i = 0; i < n; ++i)
        h2o_multithread_create_thread(&pool.tids[i], NULL, worker_main, NULL);
}

void gh_jobs_stop(void)
{
    int i;

    pthread_mutex_lock(&pool.mu);
    pool.stopping = 1;
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
    for (i = 0; i < pool.n; ++i)
        pthread_join(pool.tids[i], NULL);
    free(pool.tids);
    pool.tids = NULL;
    pool.n = 0;
}

/* The request went away (client closed) before the job finished: done() must not answer it. */
static void on_req_dispose(void *p)
{
    gh_job_t **link = p;

    if (*link != NULL) {
        (*link)->req = NULL;
        (*link)->_req_link = NULL;
    }
}

void gh_job_submit(gh_job_t *job, h2o_req_t *req)
{
    job->req = req;
    job->_loop = current_loop;
    job->_next = NULL;
    job->_req_link = NULL;
    memset(&job->_msg, 0, sizeof(job->_msg));
    if (current_loop == NULL || pool.n == 0) {
        /* not on a loop (tools, tests): nothing to keep responsive */
        gh_job_run_inline(job);
        return;
    }
    if (req != NULL) {
        job->_req_link = h2o_mem_alloc_shared(&req->pool, sizeof(gh_job_t *), on_req_dispose);
        *(gh_job_t **)job->_req_link = job;
    }
    pthread_mutex_lock(&pool.mu);
    if (pool.tail != NULL)
        pool.tail->_next = job;
    else
        pool.head = job;
    pool.tail = job;
    pthread_cond_signal(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
}

void gh_job_finish(gh_job_t *job)
{
    if (job->done != NULL) {
        job->done(job);
        return;
    }
    if (job->req != NULL && job->answer != NULL)
        job->answer(job, job->req);
    if (job->dispose != NULL)
        job->dispose(job);
}

void gh_job_run_inline(gh_job_t *job)
{
    job->work(job);
    gh_job_finish(job);
}

static void on_jobs_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        gh_job_t *job = H2O_STRUCT_FROM_MEMBER(gh_job_t, _msg, m);
        h2o_linklist_unlink(&m->link);
        if (job->_req_link != NULL)
            *(gh_job_t **)job->_req_link = NULL; /* the pool's disposer must not touch the job after done() */
        gh_job_finish(job);
    }
}

void gh_jobs_loop_init(gh_loop_t *l)
{
    current_loop = l;
    gh_thread_mark_loop(1);
    h2o_multithread_register_receiver(l->ctx.queue, &l->job_receiver, on_jobs_done);
}

void gh_jobs_loop_dispose(gh_loop_t *l)
{
    h2o_multithread_unregister_receiver(l->ctx.queue, &l->job_receiver);
    current_loop = NULL;
    gh_thread_mark_loop(0);
}
