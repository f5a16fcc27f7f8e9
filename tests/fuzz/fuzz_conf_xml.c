/* The carbon.xml loader on arbitrary bytes: written into a minimal conf folder, loaded, disposed. Errors are
 * expected; crashes, leaks and errors without a file name are not. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "gatehouse/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void write_file(const char *rel, const void *p, size_t n)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if ((f = fopen(path, "wb")) == NULL)
        abort();
    fwrite(p, 1, n, f);
    fclose(f);
}

static void setup(void)
{
    static const char ds[] = "<datasources-configuration><datasources><datasource><name>WSO2AM_DB</name>"
                             "<jndiConfig><name>jdbc/WSO2AM_DB</name></jndiConfig><definition type=\"RDBMS\">"
                             "<configuration><url>jdbc:h2:./db/X</url></configuration></definition></datasource>"
                             "</datasources></datasources-configuration>";
    static const char um[] = "<UserManager><Realm><Configuration><Property name=\"dataSource\">jdbc/WSO2AM_DB"
                             "</Property></Configuration><UserStoreManager class=\"x\"/></Realm></UserManager>";
    static const char idn[] = "<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\"/>";
    static const char am[] = "<APIManager><DataSourceName>jdbc/WSO2AM_DB</DataSourceName></APIManager>";
    char sub[128];

    if (dir[0] != '\0')
        return;
    snprintf(dir, sizeof(dir), "/tmp/gh-fuzz-conf-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(sub, sizeof(sub), "%s/datasources", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof(sub), "%s/identity", dir);
    mkdir(sub, 0700);
    write_file("datasources/master-datasources.xml", ds, sizeof(ds) - 1);
    write_file("user-mgt.xml", um, sizeof(um) - 1);
    write_file("identity/identity.xml", idn, sizeof(idn) - 1);
    write_file("api-manager.xml", am, sizeof(am) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_conf_t conf;
    gh_diag_list_t d = {0};
    size_t i;

    setup();
    write_file("carbon.xml", data, size);
    memset(&conf, 0, sizeof(conf));
    gh_conf_load(dir, dir, &conf, &d);
    for (i = 0; i < d.n; ++i)
        if (d.items[i].file == NULL || d.items[i].msg == NULL)
            abort();
    gh_conf_dispose(&conf);
    gh_diag_dispose(&d);
    return 0;
}
