/* carbon.xml: host name, port offset and the TLS key store. */
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "conf_int.h"

#define F(field) offsetof(gh_conf_carbon_t, field)

static const gh_xml_directive_t server_rows[] = {
    {"HostName", GH_XML_STRING, F(host_name), 0, 0, "localhost", 0},
    {"MgtHostName", GH_XML_STRING, F(mgt_host_name), 0, 0, NULL, 0},
    {"Ports/Offset", GH_XML_INT, F(port_offset), 0, 1000, "0", 0},
};

static const gh_xml_directive_t keystore_rows[] = {
    {"Location", GH_XML_PATH, F(keystore_location), 0, 0, NULL, 0},
    {"Type", GH_XML_STRING, F(keystore_type), 0, 0, NULL, 0},
    {"KeyAlias", GH_XML_STRING, F(key_alias), 0, 0, NULL, 0},
    {"KeyFile", GH_XML_PATH, F(key_file), 0, 0, NULL, 0},
    {"CertFile", GH_XML_PATH, F(cert_file), 0, 0, NULL, 0},
};

/* Every child of <Server> that stock WSO2 2.x files carry: accepted silently, whether used or not. */
static const char *const known_server[] = {"Name",
                                           "ServerKey",
                                           "Version",
                                           "HostName",
                                           "MgtHostName",
                                           "ServerURL",
                                           "IndexPageURL",
                                           "ServerRoles",
                                           "Package",
                                           "WebContextRoot",
                                           "ItemsPerPage",
                                           "Ports",
                                           "JNDI",
                                           "IsCloudDeployment",
                                           "EnableMetering",
                                           "MaxThreadExecutionTime",
                                           "GhostDeployment",
                                           "Tenant",
                                           "Cache",
                                           "Axis2Config",
                                           "ServiceUserRoles",
                                           "CryptoService",
                                           "Security",
                                           "HideMenuItemIds",
                                           "WorkDirectory",
                                           "HouseKeeping",
                                           "FileUploadConfig",
                                           "HttpGetRequestProcessors",
                                           "DeploymentSynchronizer",
                                           "ServerInitializers",
                                           "RequireCarbonServlet",
                                           "StatisticsReporterDisabled",
                                           "FeatureRepository",
                                           "APIManagement",
                                           "MgtProxyContextPath",
                                           "ProxyContextPath",
                                           "EnableHTTPAdminConsole",
                                           "AdminConsoleURL",
                                           "EnableEmailUserName",
                                           "ClusteringConfig",
                                           "Axis2ClientConfig",
                                           "UserAgent",
                                           NULL};
/* the children of the root element Gatehouse reads; the other known ones are listed once as ignored */
static const char *const used_root[] = {"Name", "ServerKey", "Version", "HostName", "MgtHostName", "Ports", "Security", NULL};


static const char *const known_keystore[] = {"Location",    "Type",    "Password", "KeyAlias",
                                             "KeyPassword", "KeyFile", "CertFile", NULL};

static void check_readable(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *path)
{
    if (path != NULL && access(path, R_OK) != 0)
        gh_xml_error(x, node, element,
                     "cannot read the PEM file %s; fix the path or remove the element to let "
                     "Gatehouse generate a self-signed pair",
                     path);
}

/* JKS/PKCS12 need Java to read; PEM is what OpenSSL reads. */
static void check_keystore(gh_xml_doc_t *x, const xmlNode *ks, gh_conf_carbon_t *cb)
{
    const char *type = cb->keystore_type != NULL ? cb->keystore_type : "JKS"; /* WSO2's default */
    int pkcs12 = strcasecmp(type, "PKCS12") == 0;

    if (cb->key_file != NULL || cb->cert_file != NULL) {
        if (cb->key_file == NULL || cb->cert_file == NULL)
            gh_xml_error(x, ks, "KeyStore", "<KeyFile> and <CertFile> go together: give both PEM files");
        check_readable(x, gh_xml_child(ks, "KeyFile"), "KeyStore/KeyFile", cb->key_file);
        check_readable(x, gh_xml_child(ks, "CertFile"), "KeyStore/CertFile", cb->cert_file);
        return;
    }
    if (strcasecmp(type, "PEM") == 0) {
        if (cb->keystore_location == NULL) {
            gh_xml_error(x, ks, "KeyStore/Location",
                         "a PEM key store needs <Location> (one PEM file with the key "
                         "and the certificate) or <KeyFile> and <CertFile>");
            return;
        }
        cb->key_file = cb->cert_file = cb->keystore_location;
        check_readable(x, gh_xml_child(ks, "Location"), "KeyStore/Location", cb->keystore_location);
        return;
    }
    if (strcasecmp(type, "JKS") != 0 && !pkcs12) {
        gh_xml_error(x, gh_xml_child(ks, "Type"), "KeyStore/Type",
                     "'%s' is not a key store type Gatehouse knows; "
                     "use PEM (or JKS/PKCS12 converted to PEM)",
                     type);
        return;
    }
    if (cb->keystore_location == NULL) return;
    gh_xml_warn(x, gh_xml_child(ks, "Location"), "KeyStore",
                "Gatehouse needs PEM and cannot read the %s key store %s without Java; convert it with "
                "%s`openssl pkcs12 -in k.p12 -nodes -out key.pem`, then set <Type>PEM</Type> and "
                "<Location>key.pem</Location> (or <KeyFile>/<CertFile>). Until then a self-signed pair is "
                "generated instead",
                pkcs12 ? "PKCS12" : "JKS", cb->keystore_location,
                pkcs12 ? ""
                       : "`keytool -importkeystore -srckeystore wso2carbon.jks -destkeystore k.p12 "
                         "-deststoretype PKCS12` and ");
}

void gh_conf_carbon_load(gh_conf_ctx_t *c)
{
    gh_xml_doc_t x;
    gh_conf_carbon_t *cb = &c->conf->carbon;
    xmlNode *ks;

    cb->host_name = gh_xml_pool_strdup(c->pool, "localhost");
    if (gh_conf_open(c, &x, "carbon.xml", "Server", 1) != 1) return;
    cb->line = (int)xmlGetLineNo(x.root);
    gh_xml_apply(&x, x.root, server_rows, GH_ARRAY_SIZE(server_rows), cb);
    /* the key store path may say ${carbon.home}; ports and host feed every later file */
    gh_xml_vars_standard(&c->vars, c->conf->carbon_home, cb->host_name, cb->port_offset, NULL, NULL);
    gh_xml_warn_unknown(&x, x.root, known_server);
    gh_xml_note_unused(&x, x.root, known_server, used_root);
    if ((ks = gh_xml_find(x.root, "Security/KeyStore")) != NULL) {
        gh_xml_apply(&x, ks, keystore_rows, GH_ARRAY_SIZE(keystore_rows), cb);
        gh_xml_warn_unknown(&x, ks, known_keystore);
        check_keystore(&x, ks, cb);
    }
    gh_xml_close(&x);
}
