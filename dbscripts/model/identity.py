"""Identity / OAuth2 tables (WSO2 identity-inbound-auth-oauth 6.0.53 as shipped in AM 2.6 dbscripts/apimgt)."""
from schema import C, Table

TITLE = 'Identity (IDN_*): the OAuth2 key-manager tables of identity.xml JDBCPersistenceManager.'
APPS_FK = (None, ['CONSUMER_KEY_ID'], 'IDN_OAUTH_CONSUMER_APPS', ['ID'], 'CASCADE', None)


def token_cols(audit):
    cols = [
        C('TOKEN_ID', 'varchar(255)'),
        C('ACCESS_TOKEN', 'varchar(2048)'),
        C('REFRESH_TOKEN', 'varchar(2048)'),
        C('CONSUMER_KEY_ID', 'int'),
        C('AUTHZ_USER', 'varchar(100)'),
        C('TENANT_ID', 'int'),
        C('USER_DOMAIN', 'varchar(50)'),
        C('USER_TYPE', 'varchar(25)'),
        C('GRANT_TYPE', 'varchar(50)'),
        C('TIME_CREATED', 'ts'),
        C('REFRESH_TOKEN_TIME_CREATED', 'ts'),
        C('VALIDITY_PERIOD', 'bigint'),
        C('REFRESH_TOKEN_VALIDITY_PERIOD', 'bigint'),
        C('TOKEN_SCOPE_HASH', 'varchar(32)'),
        C('TOKEN_STATE', 'varchar(25)', default='ACTIVE'),
        C('TOKEN_STATE_ID', 'varchar(128)', default='NONE'),
        C('SUBJECT_IDENTIFIER', 'varchar(255)'),
        C('ACCESS_TOKEN_HASH', 'varchar(512)'),
        C('REFRESH_TOKEN_HASH', 'varchar(512)'),
    ]
    if audit:
        cols.append(C('INVALIDATED_TIME', 'ts'))
    return cols


TABLES = [
    Table('IDN_BASE_TABLE', [C('PRODUCT_NAME', 'varchar(20)')], pk=['PRODUCT_NAME']),
    Table('IDN_OAUTH_CONSUMER_APPS', [
        C('ID', 'id'),
        C('CONSUMER_KEY', 'varchar(255)'),
        C('CONSUMER_SECRET', 'varchar(2048)'),
        C('USERNAME', 'varchar(255)'),
        C('TENANT_ID', 'int', default=0),
        C('USER_DOMAIN', 'varchar(50)'),
        C('APP_NAME', 'varchar(255)'),
        C('OAUTH_VERSION', 'varchar(128)'),
        C('CALLBACK_URL', 'varchar(1024)'),
        C('GRANT_TYPES', 'varchar(1024)'),
        C('PKCE_MANDATORY', 'char(1)', default='0'),
        C('PKCE_SUPPORT_PLAIN', 'char(1)', default='0'),
        C('APP_STATE', 'varchar(25)', default='ACTIVE'),
        C('USER_ACCESS_TOKEN_EXPIRE_TIME', 'bigint', default=3600),
        C('APP_ACCESS_TOKEN_EXPIRE_TIME', 'bigint', default=3600),
        C('REFRESH_TOKEN_EXPIRE_TIME', 'bigint', default=84600),
        C('ID_TOKEN_EXPIRE_TIME', 'bigint', default=3600),
    ], pk=['ID'], uniques=[('CONSUMER_KEY_CONSTRAINT', ['CONSUMER_KEY'])]),
    Table('IDN_OAUTH2_SCOPE_VALIDATORS', [
        C('APP_ID', 'int', 'notnull'),
        C('SCOPE_VALIDATOR', 'varchar(128)', 'notnull'),
    ], pk=['APP_ID', 'SCOPE_VALIDATOR'],
        fks=[(None, ['APP_ID'], 'IDN_OAUTH_CONSUMER_APPS', ['ID'], 'CASCADE', None)]),
    Table('IDN_OAUTH2_ACCESS_TOKEN', token_cols(False), pk=['TOKEN_ID'], uniques=[
        ('CON_APP_KEY', ['CONSUMER_KEY_ID', 'AUTHZ_USER', 'TOKEN_ID', 'USER_DOMAIN', 'USER_TYPE', 'TOKEN_SCOPE_HASH',
                         'TOKEN_STATE', 'TOKEN_STATE_ID']),
    ], indexes=[
        ('IDX_AT_CK_AU', ['CONSUMER_KEY_ID', 'AUTHZ_USER', 'TOKEN_STATE', 'USER_TYPE'], False),
        ('IDX_TC', ['TIME_CREATED'], False),
        ('IDX_ATH', ['ACCESS_TOKEN_HASH'], False),
        ('IDX_AT_RTH', ['REFRESH_TOKEN_HASH'], False),
        ('IDX_AT_TI_UD', ['AUTHZ_USER', 'TENANT_ID', 'TOKEN_STATE', 'USER_DOMAIN'], False),
        ('IDX_IOAT_UT', ['USER_TYPE'], False),
    ], fks=[APPS_FK]),
    Table('IDN_OAUTH2_ACCESS_TOKEN_AUDIT', token_cols(True)),
    Table('IDN_OAUTH2_AUTHORIZATION_CODE', [
        C('CODE_ID', 'varchar(255)'),
        C('AUTHORIZATION_CODE', 'varchar(2048)'),
        C('CONSUMER_KEY_ID', 'int'),
        C('CALLBACK_URL', 'varchar(1024)'),
        C('SCOPE', 'varchar(2048)'),
        C('AUTHZ_USER', 'varchar(100)'),
        C('TENANT_ID', 'int'),
        C('USER_DOMAIN', 'varchar(50)'),
        C('TIME_CREATED', 'ts'),
        C('VALIDITY_PERIOD', 'bigint'),
        C('STATE', 'varchar(25)', default='ACTIVE'),
        C('TOKEN_ID', 'varchar(255)'),
        C('SUBJECT_IDENTIFIER', 'varchar(255)'),
        C('PKCE_CODE_CHALLENGE', 'varchar(255)'),
        C('PKCE_CODE_CHALLENGE_METHOD', 'varchar(128)'),
        C('AUTHORIZATION_CODE_HASH', 'varchar(512)'),
    ], pk=['CODE_ID'], indexes=[
        ('IDX_AUTHORIZATION_CODE_HASH', ['AUTHORIZATION_CODE_HASH', 'CONSUMER_KEY_ID'], False),
        ('IDX_AUTHORIZATION_CODE_AU_TI', ['AUTHZ_USER', 'TENANT_ID', 'USER_DOMAIN', 'STATE'], False),
        ('IDX_AC_CKID', ['CONSUMER_KEY_ID'], False),
        ('IDX_AC_TID', ['TOKEN_ID'], False),
    ], fks=[APPS_FK]),
    Table('IDN_OAUTH2_ACCESS_TOKEN_SCOPE', [
        C('TOKEN_ID', 'varchar(255)'),
        C('TOKEN_SCOPE', 'varchar(60)'),
        C('TENANT_ID', 'int', default=-1),
    ], pk=['TOKEN_ID', 'TOKEN_SCOPE'], indexes=[('IDX_ATS_TID', ['TOKEN_ID'], False)],
        fks=[(None, ['TOKEN_ID'], 'IDN_OAUTH2_ACCESS_TOKEN', ['TOKEN_ID'], 'CASCADE', None)]),
    Table('IDN_OAUTH2_SCOPE', [
        C('SCOPE_ID', 'id'),
        C('NAME', 'varchar(255)', 'notnull'),
        C('DISPLAY_NAME', 'varchar(255)', 'notnull'),
        C('DESCRIPTION', 'varchar(512)'),
        C('TENANT_ID', 'int', 'notnull', default=-1),
    ], pk=['SCOPE_ID'], indexes=[('IDX_SC_N_TID', ['NAME', 'TENANT_ID'], False)]),
    Table('IDN_OAUTH2_SCOPE_BINDING', [
        C('SCOPE_ID', 'int', 'notnull'),
        C('SCOPE_BINDING', 'varchar(255)'),
    ], indexes=[('IDX_SB_SCPID', ['SCOPE_ID'], False)],
        fks=[(None, ['SCOPE_ID'], 'IDN_OAUTH2_SCOPE', ['SCOPE_ID'], 'CASCADE', None)]),
    Table('IDN_OAUTH2_RESOURCE_SCOPE', [
        C('RESOURCE_PATH', 'varchar(255)', 'notnull'),
        C('SCOPE_ID', 'int', 'notnull'),
        C('TENANT_ID', 'int', default=-1),
    ], pk=['RESOURCE_PATH'], indexes=[('IDX_RS_SID', ['SCOPE_ID'], False)],
        fks=[(None, ['SCOPE_ID'], 'IDN_OAUTH2_SCOPE', ['SCOPE_ID'], 'CASCADE', None)]),
    Table('IDN_SCIM_GROUP', [
        C('ID', 'id'),
        C('TENANT_ID', 'int', 'notnull'),
        C('ROLE_NAME', 'varchar(255)', 'notnull'),
        C('ATTR_NAME', 'varchar(1024)', 'notnull'),
        C('ATTR_VALUE', 'varchar(1024)'),
    ], pk=['ID'], indexes=[('IDX_IDN_SCIM_GROUP_TI_RN', ['TENANT_ID', 'ROLE_NAME'], False)]),
    Table('IDN_OIDC_JTI', [
        C('JWT_ID', 'varchar(255)'),
        C('EXP_TIME', 'ts', 'notnull'),
        C('TIME_CREATED', 'ts', 'notnull'),
    ], pk=['JWT_ID']),
]
