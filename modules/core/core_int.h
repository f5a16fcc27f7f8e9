/* Private to modules/core: the pieces server.c wires together. */
#ifndef GH_CORE_INT_H
#define GH_CORE_INT_H

#include <pthread.h>
#include <signal.h>
#include <openssl/ssl.h>
#include "gatehouse/server.h"
#include "gatehouse/job.h"

typedef struct st_gh_pool_entry_t {
    const gh_conf_datasource_t *ds;
    gh_db_pool_t *pool;
} gh_pool_entry_t;

/* Health as last measured by the monitor thread; read by /health on any loop thread. */
typedef struct st_gh_health_t {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t tid;
    int running;
    int interval_ms;
    char **state;   /* per pool: "UP" or a short error, owned */
    int *up;        /* per pool: 1 up, 0 down */
    int checked;    /* at least one round done */
} gh_health_t;

/* One event loop thread. */
typedef struct st_gh_loop_t {
    gh_server_t *srv;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept[GH_LST_COUNT];
    h2o_socket_t *listeners[GH_LST_COUNT];
    h2o_multithread_receiver_t job_receiver;
    h2o_multithread_receiver_t stop_receiver;
    h2o_multithread_message_t stop_msg;
    int stopping;
} gh_loop_t;

struct st_gh_server_t {
    const gh_conf_t *conf;
    gh_server_opts_t opts;
    h2o_globalconf_t globalconf;
    h2o_hostconf_t *mgt_host, *gw_host;
    h2o_hostconf_t *hosts_mgt[2], *hosts_gw[2];
    SSL_CTX *ssl_ctx;
    int ports[GH_LST_COUNT];
    int fds[GH_LST_COUNT]; /* the first thread's bound sockets; others bind their own (SO_REUSEPORT) */
    unsigned listeners;    /* GH_ON_* mask of listeners this profile opens */
    gh_pool_entry_t *pools;
    size_t n_pools;
    gh_health_t health;
    gh_loop_t *loops;
    int n_loops;
    pthread_mutex_t ready_mu; /* loops report when their receivers exist, before anyone may message them */
    pthread_cond_t ready_cv;
    int n_ready;
    int listen_failed; /* a loop could not open its sockets: the process stops with exit 1 */
    gh_us_t *us;
    gh_km_t *km;
    gh_gw_t *gw;
    struct st_gh_pathconf_hook_t {
        unsigned mask;
        char *path;
        gh_pathconf_fn fn;
        void *data;
    } hooks[8];
    size_t n_hooks;
    struct st_gh_route_spec_t {
        unsigned mask;
        char *path;
        gh_route_fn fn;
        void *data;
    } *routes;
    size_t n_routes;
};

/* tls.c: SSL_CTX for the HTTPS listeners; generates conf_dir/security/gatehouse-{key,cert}.pem if needed. */
SSL_CTX *gh_tls_server_ctx(const gh_conf_t *conf, gh_err_t *err);
int gh_tls_generate_self_signed(const char *key_path, const char *cert_path, const char *host, gh_err_t *err);

/* listeners.c */
int gh_listener_bind(const char *host, int port, gh_err_t *err);
void gh_listener_on_accept(h2o_socket_t *listener, const char *err);

/* jobs.c */
void gh_jobs_start(int n);
void gh_jobs_stop(void);
void gh_jobs_loop_init(gh_loop_t *l);
void gh_jobs_loop_dispose(gh_loop_t *l);

/* health.c */
int gh_health_start(gh_server_t *srv, gh_err_t *err);
void gh_health_stop(gh_server_t *srv);
int gh_health_setup(gh_server_t *srv, gh_err_t *err);

/* datasources.c */
int gh_pools_open(gh_server_t *srv, gh_err_t *err);
void gh_pools_close(gh_server_t *srv);

/* threads.c */
void gh_loops_block_signals(sigset_t *set);
int gh_loops_run(gh_server_t *srv, gh_err_t *err);

#endif
