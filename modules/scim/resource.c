/* SCIM User resources <-> WSO2 claims. The mapping follows WSO2 IS's SCIM2 dialect for the claims Gatehouse
 * stores (claim-config.xml): name.givenName = givenname, name.familyName = lastname, ... */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "scim_int.h"
#include "gatehouse/mem.h"

#define C(x) "http://wso2.org/claims/" x

/* simple (single-valued string) attributes: SCIM path -> claim; `ent` for the enterprise extension */
static const struct {
    const char *path, *claim;
    int ent;
} simple[] = {
    {"name.givenName", C("givenname"), 0}, {"name.familyName", C("lastname"), 0},
    {"name.formatted", C("fullname"), 0},  {"displayName", C("displayName"), 0},
    {"nickName", C("nickname"), 0},        {"title", C("title"), 0},
    {"profileUrl", C("url"), 0},           {"locale", C("locality"), 0},
    {"organization", C("organization"), 1}, {"department", C("department"), 1},
};
/* multi-valued attributes stored as one claim each (the first/primary value, or the one of that type) */
static const struct {
    const char *attr, *type, *claim;
} multi[] = {
    {"emails", NULL, C("emailaddress")},
    {"phoneNumbers", "work", C("telephone")},
    {"phoneNumbers", "mobile", C("mobile")},
};

static json_t *path_get(json_t *obj, const char *path)
{
    const char *dot = strchr(path, '.');
    char head[64];

    if (dot == NULL)
        return json_object_get(obj, path);
    snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
    obj = json_object_get(obj, head);
    return json_is_object(obj) ? json_object_get(obj, dot + 1) : NULL;
}

static void path_set(json_t *obj, const char *path, const char *value)
{
    const char *dot = strchr(path, '.');
    char head[64];
    json_t *sub;

    if (dot == NULL) {
        json_object_set_new(obj, path, json_string(value));
        return;
    }
    snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
    if ((sub = json_object_get(obj, head)) == NULL) {
        sub = json_object();
        json_object_set_new(obj, head, sub);
    }
    json_object_set_new(sub, dot + 1, json_string(value));
}

json_t *scim_user_json(const gh_us_user_t *u)
{
    json_t *j = json_pack("{s:[s,s],s:s,s:s,s:b}", "schemas", SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA, "id",
                          u->id ? u->id : u->name, "userName", u->name, "active", !u->locked);
    json_t *ent = json_object(), *groups = json_array(), *meta;
    const char *v;
    char *loc, *gid;
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(simple); ++i)
        if ((v = gh_us_user_claim(u, simple[i].claim)) != NULL && *v != '\0')
            path_set(simple[i].ent ? ent : j, simple[i].path, v);
    for (i = 0; i < GH_ARRAY_SIZE(multi); ++i) {
        json_t *arr, *el;
        if ((v = gh_us_user_claim(u, multi[i].claim)) == NULL || *v == '\0')
            continue;
        if ((arr = json_object_get(j, multi[i].attr)) == NULL) {
            arr = json_array();
            json_object_set_new(j, multi[i].attr, arr);
        }
        el = json_pack("{s:s}", "value", v);
        if (multi[i].type != NULL)
            json_object_set_new(el, "type", json_string(multi[i].type));
        else
            json_object_set_new(el, "primary", json_true());
        json_array_append_new(arr, el);
    }
    if (json_object_size(ent) > 0)
        json_object_set(j, SCIM_ENTERPRISE_SCHEMA, ent);
    json_decref(ent);
    for (i = 0; i < u->roles.n; ++i) {
        gid = scim_group_id(u->roles.items[i]);
        json_array_append_new(groups, json_pack("{s:s,s:s}", "value", gid, "display", u->roles.items[i]));
        free(gid);
    }
    json_object_set_new(j, "groups", groups);
    loc = gh_asprintf("/scim2/Users/%s", u->id ? u->id : u->name);
    meta = json_pack("{s:s,s:s}", "resourceType", "User", "location", loc);
    free(loc);
    if (u->created != NULL)
        json_object_set_new(meta, "created", json_string(u->created));
    if (u->modified != NULL)
        json_object_set_new(meta, "lastModified", json_string(u->modified));
    json_object_set_new(j, "meta", meta);
    return j;
}

/* the value of multi-valued attr for type (NULL = primary, else first) */
static json_t *multi_value(json_t *arr, const char *type, int *bad)
{
    json_t *el, *first = NULL;
    size_t i;

    if (!json_is_array(arr)) {
        *bad = arr != NULL;
        return NULL;
    }
    json_array_foreach(arr, i, el) {
        json_t *t = json_object_get(el, "type");
        if (!json_is_object(el)) {
            *bad = 1;
            return NULL;
        }
        if (type != NULL) {
            if (json_is_string(t) && strcmp(json_string_value(t), type) == 0)
                return json_object_get(el, "value");
            continue;
        }
        if (json_is_true(json_object_get(el, "primary")))
            return json_object_get(el, "value");
        if (first == NULL)
            first = json_object_get(el, "value");
    }
    return first;
}

static int collect(const char *claim, json_t *v, int replace_all, gh_us_strlist_t *uris, gh_us_strlist_t *values,
                   const char *what, char *detail, size_t size)
{
    if (v == NULL || json_is_null(v)) {
        if (replace_all) {
            gh_us_strlist_push(uris, claim);
            gh_us_strlist_push(values, "");
        }
        return 0;
    }
    if (!json_is_string(v)) {
        snprintf(detail, size, "attribute %s must be a string", what);
        return -1;
    }
    if (json_string_length(v) > 1024) {
        snprintf(detail, size, "attribute %s is longer than 1024 characters", what);
        return -1;
    }
    gh_us_strlist_push(uris, claim);
    gh_us_strlist_push(values, json_string_value(v));
    return 0;
}

int scim_user_claims(json_t *body, int replace_all, gh_us_strlist_t *uris, gh_us_strlist_t *values, char *detail,
                     size_t size)
{
    json_t *ent = json_object_get(body, SCIM_ENTERPRISE_SCHEMA);
    size_t i;
    int bad = 0;

    for (i = 0; i < GH_ARRAY_SIZE(simple); ++i) {
        json_t *v = path_get(simple[i].ent ? ent : body, simple[i].path);
        if (collect(simple[i].claim, v, replace_all, uris, values, simple[i].path, detail, size) != 0)
            return -1;
    }
    for (i = 0; i < GH_ARRAY_SIZE(multi); ++i) {
        json_t *v = multi_value(json_object_get(body, multi[i].attr), multi[i].type, &bad);
        if (bad) {
            snprintf(detail, size, "attribute %s must be an array of objects", multi[i].attr);
            return -1;
        }
        if (collect(multi[i].claim, v, replace_all, uris, values, multi[i].attr, detail, size) != 0)
            return -1;
    }
    return 0;
}

char *scim_group_id(const char *role)
{
    size_t n = strlen(role), i, len;
    char *out = gh_malloc(4 * ((n + 2) / 3) + 1);

    len = (size_t)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)role, (int)n);
    for (i = 0; i < len; ++i)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    return out;
}

char *scim_group_role(const char *id)
{
    size_t n = strlen(id), i, padded = (n + 3) / 4 * 4;
    char *in, *out;
    int len;

    if (n == 0 || n > 1024 || n % 4 == 1)
        return NULL;
    in = gh_malloc(padded + 1);
    for (i = 0; i < n; ++i) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            free(in);
            return NULL;
        }
        in[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    for (; i < padded; ++i)
        in[i] = '=';
    in[padded] = '\0';
    out = gh_malloc(padded);
    len = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)padded);
    free(in);
    if (len < 0) {
        free(out);
        return NULL;
    }
    len -= (int)(padded - n); /* DecodeBlock counts the padding as zero bytes */
    out[len] = '\0';
    if (strlen(out) != (size_t)len) { /* embedded NUL: not one of our ids */
        free(out);
        return NULL;
    }
    return out;
}

void scim_paging(const char *start_index, const char *count, size_t *offset, size_t *limit)
{
    long s = start_index ? strtol(start_index, NULL, 10) : 1, c = count ? strtol(count, NULL, 10) : 100;

    /* RFC 7644 §3.4.2.4: startIndex < 1 is 1; count < 0 is 0 */
    *offset = s < 1 ? 0 : (size_t)(s - 1);
    *limit = c < 0 ? 0 : c > SCIM_MAX_COUNT ? SCIM_MAX_COUNT : (size_t)c;
}
