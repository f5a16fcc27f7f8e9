/* identity/embedded-ldap.xml: an Identity Server file (API Manager does not ship it). Gatehouse has no LDAP
 * server, so the only acceptable states are "absent" and "enable=false". */
#include <stdlib.h>
#include <string.h>
#include "conf_int.h"

static const char *const known_root[] = {"EmbeddedLDAP", "DefaultPartition", "PartitionAdmin", "KDCServer",
                                         NULL};

void gh_conf_embedded_ldap_load(gh_conf_ctx_t *c)
{
    gh_xml_doc_t x;
    gh_conf_embedded_ldap_t *el = &c->conf->embedded_ldap;
    const xmlNode *ldap;
    gh_conf_props_t props = {0};
    const char *enable;
    int r;

    /* Identity Server's root is <EmbeddedLDAPConfig>; absent file = disabled */
    if ((r = gh_conf_open(c, &x, "identity/embedded-ldap.xml", "EmbeddedLDAPConfig", 0)) == 0) return;
    el->present = 1;
    if (r < 0) return;
    el->line = (int)xmlGetLineNo(x.root);
    gh_xml_warn_unknown(&x, x.root, known_root);
    if ((ldap = gh_xml_child(x.root, "EmbeddedLDAP")) == NULL)
        goto out; /* no <EmbeddedLDAP>: ApacheDS's own default is disabled */
    gh_conf_read_props(c, &x, ldap, &props);
    if ((enable = gh_conf_prop(&props, "enable")) != NULL && gh_xml_parse_bool(enable, &el->enabled) != 0)
        gh_diag_add(c->d, GH_DIAG_ERROR, x.file, gh_conf_prop_line(&props, "enable"),
                    "Property name=\"enable\"", "'%s' is not a boolean; use true or false", enable);
    if (el->enabled) {
        el->line = gh_conf_prop_line(&props, "enable");
        gh_diag_add(
            c->d, GH_DIAG_ERROR, x.file, el->line, "Property name=\"enable\"",
            "the embedded LDAP server is enabled, but Gatehouse ships no LDAP server (users live in the "
            "JDBC user store of user-mgt.xml); set <Property name=\"enable\">false</Property> in "
            "identity/embedded-ldap.xml, or delete the file");
    }
out:
    free(props.items);
    gh_xml_close(&x);
}
