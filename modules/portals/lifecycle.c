/* WSO2's API lifecycle (repository/resources/lifecycles/APILifeCycle.xml) as a table: which action leads from
 * which state to which. States are stored upper-case (GH_API.STATUS, AM_API_LC_EVENT). */
#include <string.h>
#include <strings.h>
#include "portal_model.h"

static const struct {
    const char *from, *action, *to;
} table[] = {
    {"CREATED", "Publish", "PUBLISHED"},
    {"CREATED", "Deploy as a Prototype", "PROTOTYPED"},
    {"PROTOTYPED", "Publish", "PUBLISHED"},
    {"PROTOTYPED", "Demote to Created", "CREATED"},
    {"PROTOTYPED", "Deploy as a Prototype", "PROTOTYPED"},
    {"PUBLISHED", "Block", "BLOCKED"},
    {"PUBLISHED", "Deploy as a Prototype", "PROTOTYPED"},
    {"PUBLISHED", "Demote to Created", "CREATED"},
    {"PUBLISHED", "Deprecate", "DEPRECATED"},
    {"PUBLISHED", "Publish", "PUBLISHED"},
    {"BLOCKED", "Deprecate", "DEPRECATED"},
    {"BLOCKED", "Re-Publish", "PUBLISHED"},
    {"DEPRECATED", "Retire", "RETIRED"},
};

static const char *const states[] = {"CREATED", "PROTOTYPED", "PUBLISHED", "BLOCKED", "DEPRECATED", "RETIRED"};

const char *gh_portal_lc_next(const char *state, const char *action)
{
    size_t i;

    if (state == NULL || action == NULL)
        return NULL;
    for (i = 0; i < GH_ARRAY_SIZE(table); ++i)
        /* actions are matched without regard to case: clients send "Re-publish" as the yaml's prose does */
        if (strcasecmp(table[i].from, state) == 0 && strcasecmp(table[i].action, action) == 0)
            return table[i].to;
    return NULL;
}

json_t *gh_portal_lc_actions(const char *state)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; state != NULL && i < GH_ARRAY_SIZE(table); ++i)
        if (strcasecmp(table[i].from, state) == 0)
            json_array_append_new(a, json_string(table[i].action));
    return a;
}

int gh_portal_lc_state_known(const char *state)
{
    size_t i;

    for (i = 0; state != NULL && i < GH_ARRAY_SIZE(states); ++i)
        if (strcmp(states[i], state) == 0)
            return 1;
    return 0;
}
