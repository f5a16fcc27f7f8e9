/* WSO2's local claim dialect (http://wso2.org/claims) and the UM_USER_ATTRIBUTE names it maps to
 * (claim-config.xml of API Manager 2.x, wso2.md 4.3). */
#include <string.h>
#include "us_int.h"

static const struct {
    const char *uri, *attr;
} map[] = {
    {GH_US_CLAIM_DIALECT "givenname", "givenName"},
    {GH_US_CLAIM_DIALECT "lastname", "sn"},
    {GH_US_CLAIM_DIALECT "emailaddress", "mail"},
    {GH_US_CLAIM_DIALECT "organization", "organizationName"},
    {GH_US_CLAIM_DIALECT "streetaddress", "streetAddress"},
    {GH_US_CLAIM_DIALECT "country", "country"},
    {GH_US_CLAIM_DIALECT "telephone", "telephoneNumber"},
    {GH_US_CLAIM_DIALECT "mobile", "mobile"},
    {GH_US_CLAIM_DIALECT "im", "im"},
    {GH_US_CLAIM_DIALECT "url", "url"},
    {GH_US_CLAIM_DIALECT "department", "departmentNumber"},
    {GH_US_CLAIM_DIALECT "fullname", "cn"},
    {GH_US_CLAIM_DIALECT "userid", "scimId"},
    {GH_US_CLAIM_DIALECT "nickname", "nickName"},
    {GH_US_CLAIM_DIALECT "dob", "dateOfBirth"},
    {GH_US_CLAIM_DIALECT "gender", "gender"},
    {GH_US_CLAIM_DIALECT "title", "title"},
    {GH_US_CLAIM_DIALECT "postalcode", "postalcode"},
    {GH_US_CLAIM_DIALECT "locality", "local"},
    {GH_US_CLAIM_DIALECT "region", "region"},
    {GH_US_CLAIM_DIALECT "stateorprovince", "stateOrProvinceName"},
    {GH_US_CLAIM_DIALECT "otherphone", "otherPhone"},
    {GH_US_CLAIM_DIALECT "created", "createdDate"},
    {GH_US_CLAIM_DIALECT "modified", "lastModifiedDate"},
    {GH_US_CLAIM_DIALECT "displayName", "displayName"},
    {GH_US_CLAIM_DIALECT "active", "active"},
    {GH_US_CLAIM_DIALECT "lastLoginTime", "lastLoginTime"},
    {GH_US_CLAIM_DIALECT "identity/accountLocked", "accountLock"},
    {GH_US_CLAIM_DIALECT "identity/accountDisabled", "accountDisabled"},
    {GH_US_CLAIM_DIALECT "identity/failedLoginAttempts", "failedLoginAttempts"},
    {GH_US_CLAIM_DIALECT "identity/unlockTime", "unlockTime"},
};

const char *gh_us_claim_attr(const char *uri)
{
    size_t i;

    for (i = 0; uri != NULL && i < GH_ARRAY_SIZE(map); ++i)
        if (strcmp(uri, map[i].uri) == 0)
            return map[i].attr;
    return NULL;
}

const char *gh_us_attr_claim(const char *attr)
{
    size_t i;

    for (i = 0; attr != NULL && i < GH_ARRAY_SIZE(map); ++i)
        if (strcmp(attr, map[i].attr) == 0)
            return map[i].uri;
    return NULL;
}
