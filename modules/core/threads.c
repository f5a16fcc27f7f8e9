/* One event loop per thread over the shared, read-only globalconf. The main thread waits for SIGTERM/SIGINT
 * with sigwait() and asks every loop to stop accepting and drain. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "core_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

static void close_listeners(gh_loop_t *l)
{
    int k;

    for (k = 0; k < GH_LST_COUNT; ++k) {
        if (l->listeners[k] != NULL) {
            h2o_socket_read_stop(l->listeners[k]);
            h2o_socket_close(l->listeners[k]);
            l->listeners[k] = NULL;
        }
    }
}

static void on_stop(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    gh_loop_t *l = H2O_STRUCT_FROM_MEMBER(gh_loop_t, stop_receiver, receiver);

    while (!h2o_linklist_is_empty(messages))
        h2o_linklist_unlink(messages->next);
    if (l->stopping)
        return;
    l->stopping = 1;
    close_listeners(l);
    h2o_context_request_shutdown(&l->ctx);
    h2o_context_request_shutdown(&l->gw_ctx);
}

static int open_listeners(gh_loop_t *l, gh_err_t *err)
{
    gh_server_t *srv = l->srv;
    int k, fd;

    for (k = 0; k < GH_LST_COUNT; ++k) {
        if (!(srv->listeners & (1u << k)))
            continue;
        if (l == &srv->loops[0] && srv->fds[k] >= 0) {
            fd = srv->fds[k]; /* bound by the main thread to fail early on a busy port */
            srv->fds[k] = -1;
        } else if ((fd = gh_listener_bind(srv->opts.bind_host, srv->ports[k], err)) < 0) {
            return GH_ERR;
        }
        l->accept[k].ctx = (k == GH_LST_MGT_HTTPS || k == GH_LST_MGT_HTTP) ? &l->ctx : &l->gw_ctx;
        l->accept[k].hosts = (k == GH_LST_MGT_HTTPS || k == GH_LST_MGT_HTTP) ? srv->hosts_mgt : srv->hosts_gw;
        l->accept[k].ssl_ctx = (k == GH_LST_MGT_HTTPS || k == GH_LST_GW_HTTPS) ? srv->ssl_ctx : NULL;
        l->listeners[k] = h2o_evloop_socket_create(l->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
        l->listeners[k]->data = &l->accept[k];
        h2o_socket_read_start(l->listeners[k], gh_listener_on_accept);
    }
    return GH_OK;
}

static int drained(gh_loop_t *l)
{
    return h2o_linklist_is_empty(&l->ctx.http1._conns) && h2o_linklist_is_empty(&l->ctx.http2._conns) &&
           h2o_linklist_is_empty(&l->gw_ctx.http1._conns) && h2o_linklist_is_empty(&l->gw_ctx.http2._conns);
}

static void *loop_main(void *arg)
{
    gh_loop_t *l = arg;
    gh_err_t err;
    uint64_t deadline = 0;

    if (open_listeners(l, &err) != GH_OK) {
        gh_log(GH_LOG_CRIT, "server", "%s", err.msg);
        __atomic_store_n(&l->srv->listen_failed, 1, __ATOMIC_RELEASE);
        kill(getpid(), SIGTERM);
    }
    for (;;) {
        h2o_evloop_run(l->loop, l->stopping ? 100 : INT32_MAX);
        if (!l->stopping)
            continue;
        if (deadline == 0)
            deadline = h2o_now(l->loop) + (uint64_t)l->srv->opts.drain_timeout_ms;
        if (drained(l))
            break;
        if (h2o_now(l->loop) >= deadline) {
            gh_log(GH_LOG_WARN, "server", "drain timeout: closing remaining connections");
            break;
        }
    }
    return NULL;
}

static void loop_init(gh_server_t *srv, gh_loop_t *l)
{
    int k;

    l->srv = srv;
    l->loop = h2o_evloop_create();
    h2o_context_init(&l->ctx, l->loop, &srv->globalconf);
    h2o_context_init(&l->gw_ctx, l->loop, &srv->gw_globalconf);
    h2o_multithread_register_receiver(l->ctx.queue, &l->stop_receiver, on_stop);
    gh_jobs_loop_init(l);
    for (k = 0; k < GH_LST_COUNT; ++k)
        l->listeners[k] = NULL;
}

static void *loop_thread(void *arg)
{
    gh_loop_t *l = arg;

    loop_init(l->srv, l);
    pthread_mutex_lock(&l->srv->ready_mu);
    l->srv->n_ready++;
    pthread_cond_signal(&l->srv->ready_cv);
    pthread_mutex_unlock(&l->srv->ready_mu);
    loop_main(l);
    close_listeners(l);
    /* h2o arms a context-wide graceful-shutdown timer for HTTP/2; it must be off before the context goes */
    if (h2o_timeout_is_linked(&l->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&l->ctx.http2._graceful_shutdown_timeout);
    if (h2o_timeout_is_linked(&l->gw_ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&l->gw_ctx.http2._graceful_shutdown_timeout);
    gh_modules_loop_dispose(l->srv);
    /* let deferred socket closes run so no timeout entry outlives the context */
    h2o_evloop_run(l->loop, 0);
    gh_jobs_loop_dispose(l);
    h2o_multithread_unregister_receiver(l->ctx.queue, &l->stop_receiver);
    h2o_context_dispose(&l->ctx);
    h2o_context_dispose(&l->gw_ctx);
    h2o_evloop_destroy(l->loop);
    return NULL;
}

void gh_loops_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    /* threads inherit the mask: only the main thread's sigwait() sees the signals; blocked before the sockets
     * listen, so a SIGTERM that comes during start-up waits for sigwait() instead of killing the process */
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int gh_loops_run(gh_server_t *srv, gh_err_t *err)
{
    sigset_t set;
    int i, sig;

    gh_loops_block_signals(&set);

    srv->loops = gh_calloc((size_t)srv->n_loops, sizeof(*srv->loops));
    for (i = 0; i < srv->n_loops; ++i) {
        srv->loops[i].srv = srv;
        h2o_multithread_create_thread(&srv->loops[i].tid, NULL, loop_thread, &srv->loops[i]);
    }
    pthread_mutex_lock(&srv->ready_mu);
    while (srv->n_ready < srv->n_loops)
        pthread_cond_wait(&srv->ready_cv, &srv->ready_mu);
    pthread_mutex_unlock(&srv->ready_mu);
    gh_log(GH_LOG_NOTICE, "server", "ready: %d event loop thread(s)", srv->n_loops);
    do {
        if (sigwait(&set, &sig) != 0)
            sig = SIGTERM;
    } while (sig != SIGINT && sig != SIGTERM);
    gh_log(GH_LOG_NOTICE, "server", "%s received: draining in-flight requests", sig == SIGINT ? "SIGINT" : "SIGTERM");
    for (i = 0; i < srv->n_loops; ++i)
        /* a real message: h2o calls a receiver only for queued messages, not for a bare wake-up */
        h2o_multithread_send_message(&srv->loops[i].stop_receiver, &srv->loops[i].stop_msg);
    for (i = 0; i < srv->n_loops; ++i)
        pthread_join(srv->loops[i].tid, NULL);
    free(srv->loops);
    srv->loops = NULL;
    gh_log(GH_LOG_NOTICE, "server", "stopped");
    if (__atomic_load_n(&srv->listen_failed, __ATOMIC_ACQUIRE))
        return gh_err_set(err, GH_E_CONFIG, "an event loop could not open its listening sockets (see above)");
    return GH_OK;
}
