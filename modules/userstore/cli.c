/* `gatehouse user ...`: the operator's commands over the user store. Exit codes: 0 ok, 1 error, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "us_int.h"
#include "gatehouse/mem.h"

#define MAX_ITEMS 64

static int usage(void)
{
    fprintf(stderr,
            "usage: gatehouse user add NAME [--password P | --password-stdin] [--role R]... [--claim URI=VALUE]...\n"
            "       gatehouse user passwd NAME [--password P | --password-stdin]\n"
            "       gatehouse user del NAME\n"
            "       gatehouse user list [PATTERN]\n"
            "       gatehouse user unlock NAME\n"
            "       gatehouse user role add ROLE\n"
            "       gatehouse user role assign USER ROLE\n"
            "       gatehouse user role grant ROLE PERMISSION   (e.g. /permission/admin/manage/identity/usermgt)\n"
            "       gatehouse user role list\n");
    return 2;
}

static int fail(const char *what, const gh_err_t *e)
{
    fprintf(stderr, "gatehouse user: %s: %s\n", what, e->msg[0] ? e->msg : "failed");
    return 1;
}

/* one line from stdin without its newline; no echo on a terminal */
static char *read_password(int prompt)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    char buf[1024];
    size_t n;

    if (prompt && tty)
        fprintf(stderr, "Password: ");
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    } else {
        tty = 0;
    }
    if (fgets(buf, sizeof(buf), stdin) == NULL)
        buf[0] = '\0';
    if (tty) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    return gh_strdup(buf);
}

typedef struct {
    const char *password;
    int from_stdin;
    const char *roles[MAX_ITEMS];
    size_t n_roles;
    gh_us_claim_t claims[MAX_ITEMS];
    char *claim_bufs[MAX_ITEMS];
    size_t n_claims;
} opts_t;

static void opts_dispose(opts_t *o)
{
    size_t i;

    for (i = 0; i < o->n_claims; ++i)
        free(o->claim_bufs[i]);
}

/* options from argv[i..]; GH_OK or 2 for a usage error */
static int parse_opts(int argc, char **argv, int i, int allow_roles, opts_t *o)
{
    char *eq;

    for (; i < argc; ++i) {
        if (strcmp(argv[i], "--password") == 0 && i + 1 < argc)
            o->password = argv[++i];
        else if (strcmp(argv[i], "--password-stdin") == 0)
            o->from_stdin = 1;
        else if (allow_roles && strcmp(argv[i], "--role") == 0 && i + 1 < argc && o->n_roles < MAX_ITEMS)
            o->roles[o->n_roles++] = argv[++i];
        else if (allow_roles && strcmp(argv[i], "--claim") == 0 && i + 1 < argc && o->n_claims < MAX_ITEMS) {
            char *b = gh_strdup(argv[++i]);
            o->claim_bufs[o->n_claims] = b;
            if ((eq = strchr(b, '=')) == NULL) {
                fprintf(stderr, "gatehouse user: --claim wants URI=VALUE, got '%s'\n", b);
                o->n_claims++;
                return 2;
            }
            *eq = '\0';
            o->claims[o->n_claims].uri = b;
            o->claims[o->n_claims++].value = eq + 1;
        } else {
            fprintf(stderr, "gatehouse user: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    return GH_OK;
}

static int cmd_add_or_passwd(gh_us_t *us, int argc, char **argv, int add)
{
    opts_t o = {0};
    gh_err_t e = {0};
    char *pw = NULL;
    int rc;

    if (argc < 3 || (rc = parse_opts(argc, argv, 3, add, &o)) != GH_OK) {
        opts_dispose(&o);
        return argc < 3 ? usage() : 2;
    }
    pw = o.password != NULL ? gh_strdup(o.password) : read_password(!o.from_stdin);
    if (add)
        rc = gh_us_add_user(us, argv[2], pw, o.claims, o.n_claims, o.roles, o.n_roles, &e) == GH_OK
                 ? 0
                 : fail("add", &e);
    else
        rc = gh_us_update_password(us, argv[2], pw, &e) == GH_OK ? 0 : fail("passwd", &e);
    if (rc == 0)
        printf(add ? "user '%s' created\n" : "password of '%s' changed\n", argv[2]);
    gh_free_secret(pw);
    opts_dispose(&o);
    return rc;
}

static int print_list(gh_us_strlist_t *l)
{
    size_t i;

    for (i = 0; i < l->n; ++i)
        printf("%s\n", l->items[i]);
    gh_us_strlist_dispose(l);
    return 0;
}

static int cmd_list(gh_us_t *us, int argc, char **argv)
{
    gh_us_strlist_t names = {0};
    gh_us_query_t q = {0};
    gh_err_t e = {0};
    char *p, *star;

    if (argc > 3)
        return usage();
    /* PATTERN: WSO2 style, '*' anywhere; no star means "contains" */
    if (argc == 3 && strcmp(argv[2], "*") != 0) {
        p = gh_strdup(argv[2]);
        q.op = GH_US_OP_CO;
        if ((star = strchr(p, '*')) != NULL && star[1] == '\0' && star != p) {
            *star = '\0';
            q.op = GH_US_OP_SW;
        } else {
            for (star = p; (star = strchr(star, '*')) != NULL;)
                memmove(star, star + 1, strlen(star)); /* inner stars: treat as "contains" of the rest */
        }
        q.value = p;
        if (gh_us_search_users(us, &q, &names, NULL, &e) != GH_OK) {
            free(p);
            gh_us_strlist_dispose(&names);
            return fail("list", &e);
        }
        free(p);
        return print_list(&names);
    }
    if (gh_us_search_users(us, &q, &names, NULL, &e) != GH_OK) {
        gh_us_strlist_dispose(&names);
        return fail("list", &e);
    }
    return print_list(&names);
}

static int cmd_role(gh_us_t *us, int argc, char **argv)
{
    gh_us_strlist_t roles = {0};
    gh_err_t e = {0};
    const char *user;

    if (argc == 4 && strcmp(argv[2], "add") == 0) {
        if (gh_us_add_role(us, argv[3], &e) != GH_OK)
            return fail("role add", &e);
        printf("role '%s' created\n", argv[3]);
        return 0;
    }
    if (argc == 5 && strcmp(argv[2], "assign") == 0) {
        user = argv[3];
        if (gh_us_update_role_users(us, argv[4], &user, 1, NULL, 0, &e) != GH_OK)
            return fail("role assign", &e);
        printf("user '%s' is in role '%s'\n", argv[3], argv[4]);
        return 0;
    }
    if (argc == 5 && strcmp(argv[2], "grant") == 0) {
        if (gh_us_grant(us, argv[3], argv[4], US_ACTION_UI, &e) != GH_OK)
            return fail("role grant", &e);
        printf("role '%s' holds '%s'\n", argv[3], argv[4]);
        return 0;
    }
    if (argc == 3 && strcmp(argv[2], "list") == 0) {
        if (gh_us_list_roles(us, "*", &roles, &e) != GH_OK) {
            gh_us_strlist_dispose(&roles);
            return fail("role list", &e);
        }
        return print_list(&roles);
    }
    return usage();
}

static int cmd_simple(gh_us_t *us, int argc, char **argv)
{
    gh_err_t e = {0};

    if (argc != 3)
        return usage();
    if (strcmp(argv[1], "del") == 0) {
        if (gh_us_delete_user(us, argv[2], &e) != GH_OK)
            return fail("del", &e);
        printf("user '%s' deleted\n", argv[2]);
        return 0;
    }
    if (gh_us_unlock_user(us, argv[2], &e) != GH_OK)
        return fail("unlock", &e);
    printf("user '%s' unlocked\n", argv[2]);
    return 0;
}

int gh_us_cli_main(gh_us_t *us, int argc, char **argv)
{
    const char *cmd;

    if (argc < 2 || strcmp(argv[0], "user") != 0)
        return usage();
    cmd = argv[1];
    if (strcmp(cmd, "add") == 0 || strcmp(cmd, "passwd") == 0)
        return cmd_add_or_passwd(us, argc, argv, strcmp(cmd, "add") == 0);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(us, argc, argv);
    if (strcmp(cmd, "role") == 0)
        return cmd_role(us, argc, argv);
    if (strcmp(cmd, "del") == 0 || strcmp(cmd, "unlock") == 0)
        return cmd_simple(us, argc, argv);
    return usage();
}
