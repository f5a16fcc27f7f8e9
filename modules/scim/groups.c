/* /scim2/Groups: groups are the user store's roles (primary and Internal/ ones); members are users. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "scim_int.h"
#include "gatehouse/mem.h"

static json_t *group_json(scim_job_t *j, const char *role, gh_err_t *err, int *rc)
{
    gh_us_strlist_t users = {0};
    json_t *g, *members = json_array();
    char *id = scim_group_id(role), *loc = gh_asprintf("/scim2/Groups/%s", id);
    size_t i;

    *rc = gh_us_role_users(j->us, role, &users, err);
    for (i = 0; *rc == GH_OK && i < users.n; ++i) {
        gh_us_user_t u = {0};
        if (gh_us_get_user(j->us, users.items[i], &u, err) == 1)
            json_array_append_new(members, json_pack("{s:s,s:s}", "value", u.id ? u.id : u.name, "display", u.name));
        gh_us_user_dispose(&u);
    }
    g = json_pack("{s:[s],s:s,s:s,s:o,s:{s:s,s:s}}", "schemas", SCIM_GROUP_SCHEMA, "id", id, "displayName", role,
                  "members", members, "meta", "resourceType", "Group", "location", loc);
    free(id);
    free(loc);
    gh_us_strlist_dispose(&users);
    return g;
}

static int respond_group(scim_job_t *j, int status, const char *role)
{
    gh_err_t err = {0};
    int rc;
    json_t *g = group_json(j, role, &err, &rc);

    if (rc != GH_OK) {
        json_decref(g);
        return scim_fail_err(j, &err);
    }
    j->status = status;
    j->resp = g;
    return GH_OK;
}

/* members [{"value": userId}] -> user names; unknown ids are an error */
static int member_names(scim_job_t *j, json_t *members, gh_us_strlist_t *names)
{
    json_t *m;
    size_t i;
    gh_err_t err = {0};

    if (members == NULL)
        return GH_OK;
    if (!json_is_array(members))
        return scim_fail(j, 400, "invalidValue", "members must be an array");
    json_array_foreach(members, i, m) {
        const char *id = json_string_value(json_object_get(m, "value"));
        gh_us_user_t u = {0};
        int rc;
        if (id == NULL)
            return scim_fail(j, 400, "invalidValue", "member %zu has no value", i);
        if ((rc = gh_us_get_user_by_id(j->us, id, &u, &err)) < 0)
            return scim_fail_err(j, &err);
        if (rc == 0)
            return scim_fail(j, 400, "invalidValue", "member %s is not a user", id);
        gh_us_strlist_push(names, u.name);
        gh_us_user_dispose(&u);
    }
    return GH_OK;
}

static int set_members(scim_job_t *j, const char *role, gh_us_strlist_t *add, gh_us_strlist_t *del)
{
    gh_err_t err = {0};

    if (gh_us_update_role_users(j->us, role, (const char *const *)add->items, add->n, (const char *const *)del->items,
                                del->n, &err) != GH_OK)
        return scim_fail_err(j, &err);
    return GH_OK;
}

static int create(scim_job_t *j)
{
    json_t *body = scim_parse_body(j);
    gh_us_strlist_t add = {0}, none = {0};
    const char *name;
    gh_err_t err = {0};
    int rc = GH_ERR;

    if (body == NULL)
        return GH_ERR;
    if ((name = json_string_value(json_object_get(body, "displayName"))) == NULL || *name == '\0') {
        scim_fail(j, 400, "invalidValue", "displayName is required");
        goto out;
    }
    if (member_names(j, json_object_get(body, "members"), &add) != GH_OK)
        goto out;
    if (gh_us_add_role(j->us, name, &err) != GH_OK) {
        scim_fail_err(j, &err);
        goto out;
    }
    if (add.n > 0 && set_members(j, name, &add, &none) != GH_OK)
        goto out;
    rc = respond_group(j, 201, name);
out:
    gh_us_strlist_dispose(&add);
    json_decref(body);
    return rc;
}

/* PUT: new name (rename) and exactly these members */
static int replace(scim_job_t *j, const char *role)
{
    json_t *body = scim_parse_body(j);
    gh_us_strlist_t want = {0}, have = {0}, add = {0}, del = {0};
    const char *name;
    gh_err_t err = {0};
    size_t i;
    int rc = GH_ERR;

    if (body == NULL)
        return GH_ERR;
    name = json_string_value(json_object_get(body, "displayName"));
    if (member_names(j, json_object_get(body, "members"), &want) != GH_OK)
        goto out;
    if (name != NULL && strcmp(name, role) != 0) {
        if (gh_us_rename_role(j->us, role, name, &err) != GH_OK) {
            scim_fail_err(j, &err);
            goto out;
        }
        role = name;
    }
    if (gh_us_role_users(j->us, role, &have, &err) != GH_OK) {
        scim_fail_err(j, &err);
        goto out;
    }
    for (i = 0; i < want.n; ++i)
        if (!gh_us_strlist_contains(&have, want.items[i]))
            gh_us_strlist_push(&add, want.items[i]);
    for (i = 0; i < have.n; ++i)
        if (!gh_us_strlist_contains(&want, have.items[i]))
            gh_us_strlist_push(&del, have.items[i]);
    if (set_members(j, role, &add, &del) == GH_OK)
        rc = respond_group(j, 200, role);
out:
    gh_us_strlist_dispose(&want);
    gh_us_strlist_dispose(&have);
    gh_us_strlist_dispose(&add);
    gh_us_strlist_dispose(&del);
    json_decref(body);
    return rc;
}

/* PATCH: add/remove members, replace displayName; `members[value eq "id"]` selects one member to remove */
static int patch(scim_job_t *j, const char *role)
{
    json_t *body = scim_parse_body(j), *ops, *op;
    gh_us_strlist_t add = {0}, del = {0};
    char *renamed = NULL;
    gh_err_t err = {0};
    size_t i;
    int rc = GH_ERR;

    if (body == NULL)
        return GH_ERR;
    if (!json_is_array(ops = json_object_get(body, "Operations")) || json_array_size(ops) == 0) {
        scim_fail(j, 400, "invalidSyntax", "Operations must be a non-empty array");
        goto out;
    }
    json_array_foreach(ops, i, op) {
        const char *kind = json_string_value(json_object_get(op, "op"));
        const char *path = json_string_value(json_object_get(op, "path"));
        json_t *value = json_object_get(op, "value");
        if (kind == NULL) {
            scim_fail(j, 400, "invalidSyntax", "operation %zu has no op", i);
            goto out;
        }
        if (strcasecmp(kind, "remove") == 0 && path != NULL && strncasecmp(path, "members[", 8) == 0) {
            gh_scim_filter_t *f = NULL;
            char *inner = gh_strndup(path + 8, strlen(path) - 9);
            if (path[strlen(path) - 1] != ']' || (f = gh_scim_filter_parse(inner, &err)) == NULL ||
                f->kind != GH_SCIM_CMP || f->op != GH_SCIM_EQ || strcasecmp(f->attr, "value") != 0 ||
                !json_is_string(f->value)) {
                gh_scim_filter_free(f);
                free(inner);
                scim_fail(j, 400, "invalidPath", "use members[value eq \"id\"]");
                goto out;
            }
            value = json_pack("[{s:O}]", "value", f->value);
            gh_scim_filter_free(f);
            free(inner);
            rc = member_names(j, value, &del);
            json_decref(value);
            if (rc != GH_OK)
                goto out;
            rc = GH_ERR;
        } else if ((strcasecmp(kind, "add") == 0 || strcasecmp(kind, "replace") == 0) &&
                   (path == NULL || strcasecmp(path, "members") == 0 || strcasecmp(path, "displayName") == 0)) {
            json_t *members = path == NULL ? json_object_get(value, "members") : strcasecmp(path, "members") == 0 ? value : NULL;
            json_t *dn = path == NULL ? json_object_get(value, "displayName") : members == NULL ? value : NULL;
            if (member_names(j, members, &add) != GH_OK)
                goto out;
            if (json_is_string(dn)) {
                free(renamed);
                renamed = gh_strdup(json_string_value(dn));
            }
        } else {
            scim_fail(j, 400, "invalidPath", "unsupported operation %s %s", kind, path ? path : "");
            goto out;
        }
    }
    if (renamed != NULL && strcmp(renamed, role) != 0) {
        if (gh_us_rename_role(j->us, role, renamed, &err) != GH_OK) {
            scim_fail_err(j, &err);
            goto out;
        }
        role = renamed;
    }
    if (set_members(j, role, &add, &del) == GH_OK)
        rc = respond_group(j, 200, role);
out:
    free(renamed);
    gh_us_strlist_dispose(&add);
    gh_us_strlist_dispose(&del);
    json_decref(body);
    return rc;
}

static int list(scim_job_t *j)
{
    gh_us_strlist_t roles = {0};
    gh_scim_filter_t *f = NULL;
    gh_err_t err = {0};
    json_t *resources = json_array();
    size_t offset, limit, i, matched = 0;
    int rc = GH_ERR, grc;

    scim_paging(j->start_index, j->count, &offset, &limit);
    if (j->filter != NULL && (f = gh_scim_filter_parse(j->filter, &err)) == NULL) {
        scim_fail(j, 400, "invalidFilter", "%s", err.msg);
        goto out;
    }
    if (gh_us_list_roles(j->us, "*", &roles, &err) != GH_OK) {
        scim_fail_err(j, &err);
        goto out;
    }
    for (i = 0; i < roles.n; ++i) {
        json_t *g;
        if (f != NULL) { /* filter on the cheap part first: displayName and id need no member lookups */
            char *id = scim_group_id(roles.items[i]);
            json_t *probe = json_pack("{s:s,s:s}", "displayName", roles.items[i], "id", id);
            int keep = gh_scim_filter_match(f, probe) || strstr(j->filter, "members") != NULL;
            json_decref(probe);
            free(id);
            if (!keep)
                continue;
        }
        if (matched >= offset && json_array_size(resources) < limit) {
            g = group_json(j, roles.items[i], &err, &grc);
            if (grc != GH_OK) {
                json_decref(g);
                scim_fail_err(j, &err);
                goto out;
            }
            if (f != NULL && !gh_scim_filter_match(f, g)) {
                json_decref(g);
                continue;
            }
            json_array_append_new(resources, g);
        }
        matched++;
    }
    j->status = 200;
    j->resp = json_pack("{s:[s],s:I,s:I,s:I,s:O}", "schemas", SCIM_LIST_SCHEMA, "totalResults", (json_int_t)matched,
                        "startIndex", (json_int_t)offset + 1, "itemsPerPage", (json_int_t)json_array_size(resources),
                        "Resources", resources);
    rc = GH_OK;
out:
    json_decref(resources);
    gh_scim_filter_free(f);
    gh_us_strlist_dispose(&roles);
    return rc;
}

/* the WSO2 IS scope a bearer token needs for this request */
static const char *group_scope(const scim_job_t *j)
{
    if (strcmp(j->method, "GET") == 0)
        return "internal_group_mgt_view";
    if (strcmp(j->method, "POST") == 0)
        return "internal_group_mgt_create";
    if (strcmp(j->method, "DELETE") == 0)
        return "internal_group_mgt_delete";
    return "internal_group_mgt_update";
}

int scim_groups(scim_job_t *j)
{
    char *role = NULL;
    gh_us_strlist_t roles = {0};
    gh_err_t err = {0};
    int rc = GH_ERR;

    if (!scim_authorize(j, 1, group_scope(j)))
        return GH_ERR;
    if (j->id == NULL) {
        if (strcmp(j->method, "GET") == 0)
            return list(j);
        if (strcmp(j->method, "POST") == 0)
            return create(j);
        return scim_fail(j, 405, NULL, "%s is not allowed on /Groups", j->method);
    }
    if ((role = scim_group_role(j->id)) == NULL)
        return scim_fail(j, 404, NULL, "group %s not found", j->id);
    if (gh_us_list_roles(j->us, role, &roles, &err) != GH_OK) {
        scim_fail_err(j, &err);
        goto out;
    }
    if (!gh_us_strlist_contains(&roles, role)) {
        scim_fail(j, 404, NULL, "group %s not found", j->id);
        goto out;
    }
    if (strcmp(j->method, "GET") == 0)
        rc = respond_group(j, 200, role);
    else if (!scim_may_manage_role(j, role))
        rc = GH_ERR; /* handing out or changing a role needs every permission it grants */
    else if (strcmp(j->method, "PUT") == 0)
        rc = replace(j, role);
    else if (strcmp(j->method, "PATCH") == 0)
        rc = patch(j, role);
    else if (strcmp(j->method, "DELETE") == 0) {
        if (gh_us_delete_role(j->us, role, &err) != GH_OK)
            scim_fail_err(j, &err);
        else {
            j->status = 204;
            rc = GH_OK;
        }
    } else
        scim_fail(j, 405, NULL, "%s is not allowed here", j->method);
out:
    gh_us_strlist_dispose(&roles);
    free(role);
    return rc;
}
