/* Who is calling, and the one owner and scope check every endpoint uses (DCR clients, applications,
 * subscriptions, tokens, users). An authenticator (Basic against the user store, Bearer through the key manager)
 * fills a gh_caller_t; handlers then ask only these questions, so "may this caller touch that object" is decided
 * in one place. No h2o, no SQL: unit-testable. */
#ifndef GH_CALLER_H
#define GH_CALLER_H

typedef enum { GH_CALLER_NONE = 0, GH_CALLER_BASIC, GH_CALLER_BEARER } gh_caller_kind_t;

typedef struct st_gh_caller_t {
    gh_caller_kind_t kind;
    char user[256];       /* the authenticated user as stored ("admin", "bob"); "" for an application token */
    char client_id[256];  /* Bearer: the OAuth client the token was issued to; "" for Basic */
    char scope[2048];     /* space-separated scopes: a token's granted scopes; for Basic, those the roles allow */
    int is_admin;         /* holds /permission/admin: owner checks pass (still subject to scope checks) */
} gh_caller_t;

/* 1 when the caller may act on an object owned by `owner` (the same user, compared exactly, or an
 * administrator), else 0. NULL or empty owner: only an administrator. */
int gh_caller_owns(const gh_caller_t *c, const char *owner);
/* 1 when `scope` is one of the caller's space-separated scopes (whole words only), else 0. */
int gh_caller_has_scope(const gh_caller_t *c, const char *scope);

#endif
