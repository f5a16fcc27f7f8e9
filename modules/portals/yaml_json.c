/* YAML to JSON for Swagger / OpenAPI definitions sent as YAML (libyaml's document loader). Plain scalars get the
 * YAML 1.1 core types a Swagger document uses (null, booleans, integers, floats); quoted scalars stay strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "portal_model.h"

#define MAX_DEPTH 64
#define MAX_NODES 200000

static json_t *scalar(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    char *end;

    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || len == 0)
        return json_stringn(s, len);
    if (strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)
        return json_null();
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0)
        return json_true();
    if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)
        return json_false();
    if (strspn(s, "+-0123456789") == len && strpbrk(s, "0123456789") != NULL) {
        long long v;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno == 0 && *end == '\0')
            return json_integer((json_int_t)v);
    }
    if (strspn(s, "+-0123456789.eE") == len && strpbrk(s, "0123456789") != NULL) {
        double d = strtod(s, &end);
        if (*end == '\0')
            return json_real(d);
    }
    return json_stringn(s, len);
}

/* budget: aliases share nodes, so a small document can expand enormously ("billion laughs") */
static json_t *convert(yaml_document_t *doc, yaml_node_t *n, int depth, size_t *budget)
{
    json_t *out;

    if (n == NULL || depth > MAX_DEPTH || *budget == 0)
        return NULL;
    --*budget;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return scalar(n);
    case YAML_SEQUENCE_NODE: {
        yaml_node_item_t *it;
        out = json_array();
        for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; ++it) {
            json_t *v = convert(doc, yaml_document_get_node(doc, *it), depth + 1, budget);
            if (v == NULL) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, v);
        }
        return out;
    }
    case YAML_MAPPING_NODE: {
        yaml_node_pair_t *p;
        out = json_object();
        for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; ++p) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            json_t *v;
            char key[1024];
            if (k == NULL || k->type != YAML_SCALAR_NODE || k->data.scalar.length >= sizeof(key)) {
                json_decref(out);
                return NULL;
            }
            memcpy(key, k->data.scalar.value, k->data.scalar.length);
            key[k->data.scalar.length] = '\0';
            if ((v = convert(doc, yaml_document_get_node(doc, p->value), depth + 1, budget)) == NULL) {
                json_decref(out);
                return NULL;
            }
            json_object_set_new(out, key, v);
        }
        return out;
    }
    default:
        return NULL;
    }
}

json_t *gh_portal_yaml_to_json(const char *text, size_t len, char *msg, size_t msg_size)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    json_t *out = NULL;
    size_t budget = MAX_NODES;

    if (!yaml_parser_initialize(&parser)) {
        snprintf(msg, msg_size, "YAML parser unavailable");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(msg, msg_size, "malformed YAML at line %zu: %s", parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        return NULL;
    }
    if (yaml_document_get_root_node(&doc) == NULL)
        snprintf(msg, msg_size, "empty YAML document");
    else if ((out = convert(&doc, yaml_document_get_root_node(&doc), 0, &budget)) == NULL)
        snprintf(msg, msg_size, "unsupported YAML (non-scalar key, nesting deeper than %d or more than %d nodes)", MAX_DEPTH, MAX_NODES);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return out;
}
