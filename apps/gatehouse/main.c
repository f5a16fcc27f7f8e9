/* gatehouse: argv, then hand over to the config loader, the schema runner, the user CLI or the server. Glue only. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/conf.h"
#include "gatehouse/db.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/registry.h"
#include "gatehouse/schema.h"
#include "gatehouse/server.h"
#include "gatehouse/userstore.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: gatehouse [--conf DIR] [--profile all|gateway|key-manager|publisher|devportal|admin[,...]]\n"
                 "                 [--workers N] [--bind HOST] [--log-level LEVEL]\n"
                 "       gatehouse --check-config [--conf DIR]   validate the configuration and exit\n"
                 "       gatehouse --setup [--conf DIR]          create missing tables in every datasource and exit\n"
                 "       gatehouse [--conf DIR] user add|passwd|del|list|unlock|role ...   manage users directly\n"
                 "       gatehouse [--conf DIR] keys rotate      new OAuth signing key; the previous stays in the JWKS\n"
                 "       gatehouse --list-routes [--conf DIR] [--profile P]   print LISTENER METHODS PATH per route\n"
                 "       gatehouse --version\n"
                 "WSO2 spellings -Dprofile=NAME and -Dsetup are accepted too.\n");
}

typedef struct st_args_t {
    const char *conf_dir;
    const char *profile;
    int check_config, setup, version, list_routes;
    gh_server_opts_t opts;
    int user_argc;
    char **user_argv;
    int keys_rotate;
} args_t;

/* WSO2's wso2server.sh takes -Dprofile=x and -Dsetup; map them onto ours. */
static int wso2_arg(args_t *a, const char *s)
{
    if (strncmp(s, "-Dprofile=", 10) == 0) {
        a->profile = s + 10;
        return 1;
    }
    if (strcmp(s, "-Dsetup") == 0) {
        a->setup = 1;
        return 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, args_t *a)
{
    static const struct option longopts[] = {{"conf", required_argument, NULL, 'c'},
                                             {"profile", required_argument, NULL, 'p'},
                                             {"workers", required_argument, NULL, 'w'},
                                             {"bind", required_argument, NULL, 'b'},
                                             {"log-level", required_argument, NULL, 'l'},
                                             {"check-config", no_argument, NULL, 'C'},
                                             {"setup", no_argument, NULL, 'S'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"list-routes", no_argument, NULL, 'R'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c, i, n, lvl;
    char *end;

    /* drop the WSO2-style arguments before getopt sees them */
    for (i = n = 1; i < argc; ++i)
        if (!wso2_arg(a, argv[i]))
            argv[n++] = argv[i];
    argc = n;
    argv[argc] = NULL;
    while ((c = getopt_long(argc, argv, "+c:p:w:b:l:CSVh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': a->conf_dir = optarg; break;
        case 'p': a->profile = optarg; break;
        case 'b': a->opts.bind_host = optarg; break;
        case 'w':
            a->opts.workers = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || a->opts.workers < 1 || a->opts.workers > 256) {
                fprintf(stderr, "gatehouse: --workers wants a number from 1 to 256\n");
                return 2;
            }
            break;
        case 'l':
            if ((lvl = gh_log_parse_level(optarg)) < 0) {
                fprintf(stderr, "gatehouse: unknown log level '%s' (error, warn, notice, info, debug)\n", optarg);
                return 2;
            }
            gh_log_level = lvl;
            break;
        case 'C': a->check_config = 1; break;
        case 'S': a->setup = 1; break;
        case 'V': a->version = 1; break;
        case 'R': a->list_routes = 1; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc && strcmp(argv[optind], "user") == 0) {
        a->user_argc = argc - optind;
        a->user_argv = argv + optind;
    } else if (optind + 2 == argc && strcmp(argv[optind], "keys") == 0 && strcmp(argv[optind + 1], "rotate") == 0) {
        a->keys_rotate = 1;
    } else if (optind < argc) {
        fprintf(stderr, "gatehouse: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return 0;
}

static int run_user_cli(const gh_conf_t *conf, int argc, char **argv)
{
    const gh_conf_datasource_t *ds;
    gh_db_pool_t *pool = NULL;
    gh_us_t *us = NULL;
    gh_err_t err = {0};
    int rc = 1;

    ds = conf->user_mgt.own_ds ? conf->user_mgt.own_ds : gh_conf_find_datasource(conf, conf->user_mgt.datasource);
    if (ds == NULL) {
        fprintf(stderr, "gatehouse: user-mgt.xml names no usable datasource\n");
        return 1;
    }
    if (gh_db_pool_create(ds, &pool, &err) != GH_OK || gh_schema_setup(pool, (const char *[]){"um", NULL}, &err) != GH_OK ||
        (us = gh_us_create(&conf->user_mgt, pool, &err)) == NULL || gh_us_bootstrap(us, &err) != GH_OK) {
        fprintf(stderr, "gatehouse: %s\n", err.msg);
        goto out;
    }
    rc = gh_us_cli_main(us, argc, argv);
out:
    gh_us_destroy(us);
    gh_db_pool_destroy(pool);
    return rc;
}

/* Old keys are kept while a token they signed can still be presented: the longest lifetime of any of them. */
static int rotate_keys(const gh_conf_t *conf)
{
    const gh_conf_identity_t *id = &conf->identity;
    long max_age = id->user_token_validity_s;
    gh_err_t err = {0};

    if (id->app_token_validity_s > max_age)
        max_age = id->app_token_validity_s;
    if (id->id_token_expiration_s > max_age)
        max_age = id->id_token_expiration_s;
    if (gh_km_keys_rotate(conf, max_age, &err) != GH_OK) {
        fprintf(stderr, "gatehouse: keys rotate: %s\n", err.msg);
        return 1;
    }
    printf("new signing key written; key-manager processes pick it up within a minute\n");
    return 0;
}

int main(int argc, char **argv)
{
    args_t a = {.conf_dir = "conf", .profile = "all"};
    gh_conf_t conf = {0};
    gh_diag_list_t diags = {0};
    gh_server_t *srv = NULL;
    gh_err_t err = {0};
    int rc;

    if ((rc = parse_args(argc, argv, &a)) != 0)
        return rc;
    if (a.version) {
        printf("gatehouse %s\n", GH_VERSION);
        return 0;
    }
    rc = 1;
    if (gh_roles_parse(a.profile, &a.opts.roles, &err) != GH_OK) {
        fprintf(stderr, "gatehouse: %s\n", err.msg);
        return 2;
    }
    gh_builtins_register();
    if (gh_conf_load(a.conf_dir, NULL, &conf, &diags) != GH_OK) {
        gh_diag_print(&diags, stderr);
        fprintf(stderr, "gatehouse: %zu configuration error(s) in %s; nothing was started\n", diags.n_errors,
                a.conf_dir);
        goto out;
    }
    gh_diag_print(&diags, stderr);
    if (a.check_config) {
        printf("configuration in %s is valid (%zu warning(s))\n", conf.dir, diags.n_warnings);
        rc = 0;
    } else if (a.setup) {
        if (gh_schema_setup_all(&conf, &err) != GH_OK)
            fprintf(stderr, "gatehouse: setup failed: %s\n", err.msg);
        else
            rc = 0;
    } else if (a.user_argc > 0) {
        rc = run_user_cli(&conf, a.user_argc, a.user_argv);
    } else if (a.keys_rotate) {
        rc = rotate_keys(&conf);
    } else if (a.list_routes) {
        /* the routes as the server would register them (modules set up, datasources opened), no port bound */
        a.opts.conf_dir = conf.dir;
        a.opts.no_bind = 1;
        if (gh_server_create(&conf, &a.opts, &srv, &err) != GH_OK) {
            fprintf(stderr, "gatehouse: %s\n", err.msg);
        } else {
            gh_server_list_routes(srv, stdout);
            rc = 0;
        }
    } else {
        a.opts.conf_dir = conf.dir;
        if (gh_server_create(&conf, &a.opts, &srv, &err) != GH_OK || gh_server_run(srv, &err) != GH_OK)
            gh_log(GH_LOG_CRIT, "server", "%s", err.msg);
        else
            rc = 0;
    }
out:
    gh_server_destroy(srv);
    gh_conf_dispose(&conf);
    gh_diag_dispose(&diags);
    return rc;
}
