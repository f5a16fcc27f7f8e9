"""API Manager tables (WSO2 carbon-apimgt 6.4.50, AM 2.6 dbscripts/apimgt/postgresql.sql)."""
from schema import C, Table

TITLE = 'API Manager (AM_*): the tables of api-manager.xml DataSourceName.'
AUDIT = [C('CREATED_BY', 'varchar(100)'), C('CREATED_TIME', 'ts'), C('UPDATED_BY', 'varchar(100)'),
         C('UPDATED_TIME', 'ts')]


def fk(cols, ref, rcols, on_del=None, on_upd=None):
    return (None, cols, ref, rcols, on_del, on_upd)


def S(name):
    return name + '_SEQUENCE'


def quota_cols(prefix=''):
    return [C(prefix + 'QUOTA_TYPE', 'varchar(25)', 'notnull'), C(prefix + 'QUOTA', 'int', 'notnull'),
            C(prefix + 'QUOTA_UNIT', 'varchar(10)'), C(prefix + 'UNIT_TIME', 'int', 'notnull'),
            C(prefix + 'TIME_UNIT', 'varchar(25)', 'notnull')]


def condition(name, id_col, cols):
    return Table(name, [C(id_col, 'id'), C('CONDITION_GROUP_ID', 'int', 'notnull')] + cols, pk=[id_col],
                 fks=[fk(['CONDITION_GROUP_ID'], 'AM_CONDITION_GROUP', ['CONDITION_GROUP_ID'], 'CASCADE', 'CASCADE')],
                 seq=S(name))


NAME_TENANT = (None, ['NAME', 'TENANT_ID'])
UUID_U = (None, ['UUID'])

TABLES = [
    Table('AM_SUBSCRIBER', [
        C('SUBSCRIBER_ID', 'id'),
        # WSO2's dialects disagree (postgresql.sql 50, mysql/h2 255): the larger one.
        C('USER_ID', 'varchar(255)', 'notnull'),
        C('TENANT_ID', 'int', 'notnull'),
        C('EMAIL_ADDRESS', 'varchar(256)'),
        C('DATE_SUBSCRIBED', 'ts', 'notnull'),
    ] + AUDIT, pk=['SUBSCRIBER_ID'], uniques=[(None, ['TENANT_ID', 'USER_ID'])], seq=S('AM_SUBSCRIBER')),
    Table('AM_APPLICATION', [
        C('APPLICATION_ID', 'id'),
        C('NAME', 'varchar(100)'),
        C('SUBSCRIBER_ID', 'int'),
        C('APPLICATION_TIER', 'varchar(50)', default='Unlimited'),
        C('CALLBACK_URL', 'varchar(512)'),
        C('DESCRIPTION', 'varchar(512)'),
        C('APPLICATION_STATUS', 'varchar(50)', default='APPROVED'),
        C('GROUP_ID', 'varchar(100)'),
    ] + AUDIT + [
        C('UUID', 'varchar(256)'),
        C('TOKEN_TYPE', 'varchar(10)'),
    ], pk=['APPLICATION_ID'], uniques=[(None, ['NAME', 'SUBSCRIBER_ID']), UUID_U],
        indexes=[('IDX_AA_AT_CB', ['APPLICATION_TIER', 'CREATED_BY'], False)],
        fks=[fk(['SUBSCRIBER_ID'], 'AM_SUBSCRIBER', ['SUBSCRIBER_ID'], 'RESTRICT', 'CASCADE')],
        seq=S('AM_APPLICATION')),
    Table('AM_API', [
        C('API_ID', 'id'),
        C('API_PROVIDER', 'varchar(256)'),
        C('API_NAME', 'varchar(256)'),
        C('API_VERSION', 'varchar(30)'),
        C('CONTEXT', 'varchar(256)'),
        C('CONTEXT_TEMPLATE', 'varchar(256)'),
        C('API_TIER', 'varchar(256)'),
    ] + AUDIT, pk=['API_ID'], uniques=[(None, ['API_PROVIDER', 'API_NAME', 'API_VERSION'])],
        indexes=[('IDX_AAI_CTX', ['CONTEXT'], False)], seq=S('AM_API')),
    Table('AM_API_URL_MAPPING', [
        C('URL_MAPPING_ID', 'id'),
        C('API_ID', 'int', 'notnull'),
        C('HTTP_METHOD', 'varchar(20)'),
        C('AUTH_SCHEME', 'varchar(50)'),
        C('URL_PATTERN', 'varchar(512)'),
        C('THROTTLING_TIER', 'varchar(512)'),
        C('MEDIATION_SCRIPT', 'blob'),
    ], pk=['URL_MAPPING_ID'], indexes=[
        ('IDX_AAUM_AI', ['API_ID'], False),
        ('IDX_AAUM_TT', ['THROTTLING_TIER'], False),
    ], seq=S('AM_API_URL_MAPPING')),
    Table('AM_SUBSCRIPTION', [
        C('SUBSCRIPTION_ID', 'id'),
        C('TIER_ID', 'varchar(50)'),
        C('API_ID', 'int'),
        C('LAST_ACCESSED', 'ts'),
        C('APPLICATION_ID', 'int'),
        C('SUB_STATUS', 'varchar(50)'),
        C('SUBS_CREATE_STATE', 'varchar(50)', default='SUBSCRIBE'),
    ] + AUDIT + [C('UUID', 'varchar(256)')], pk=['SUBSCRIPTION_ID'], uniques=[UUID_U], indexes=[
        ('IDX_SUB_APP_ID', ['APPLICATION_ID', 'SUBSCRIPTION_ID'], False),
        ('IDX_AS_AITIAI', ['API_ID', 'TIER_ID', 'APPLICATION_ID'], False),
    ], fks=[
        fk(['APPLICATION_ID'], 'AM_APPLICATION', ['APPLICATION_ID'], 'RESTRICT', 'CASCADE'),
        fk(['API_ID'], 'AM_API', ['API_ID'], 'RESTRICT', 'CASCADE'),
    ], seq=S('AM_SUBSCRIPTION')),
    Table('AM_SUBSCRIPTION_KEY_MAPPING', [
        C('SUBSCRIPTION_ID', 'int'),
        C('ACCESS_TOKEN', 'varchar(512)'),
        C('KEY_TYPE', 'varchar(512)', 'notnull'),
    ], pk=['SUBSCRIPTION_ID', 'ACCESS_TOKEN'],
        fks=[fk(['SUBSCRIPTION_ID'], 'AM_SUBSCRIPTION', ['SUBSCRIPTION_ID'], 'RESTRICT', 'CASCADE')]),
    # CONSUMER_KEY joins IDN_OAUTH_CONSUMER_APPS.CONSUMER_KEY without a foreign key: the key manager's tables
    # may live in another datasource.
    Table('AM_APPLICATION_KEY_MAPPING', [
        C('APPLICATION_ID', 'int'),
        C('CONSUMER_KEY', 'varchar(512)'),
        C('KEY_TYPE', 'varchar(512)', 'notnull'),
        C('STATE', 'varchar(30)'),
        C('CREATE_MODE', 'varchar(30)', default='CREATED'),
    ], pk=['APPLICATION_ID', 'KEY_TYPE'], indexes=[('IDX_AAKM_CK', ['CONSUMER_KEY'], False)],
        fks=[fk(['APPLICATION_ID'], 'AM_APPLICATION', ['APPLICATION_ID'], 'RESTRICT', 'CASCADE')]),
    Table('AM_APPLICATION_REGISTRATION', [
        C('REG_ID', 'id'),
        C('SUBSCRIBER_ID', 'int'),
        C('WF_REF', 'varchar(255)', 'notnull'),
        C('APP_ID', 'int'),
        C('TOKEN_TYPE', 'varchar(30)'),
        C('TOKEN_SCOPE', 'varchar(1500)', default='default'),
        C('INPUTS', 'varchar(1000)'),
        C('ALLOWED_DOMAINS', 'varchar(256)'),
        C('VALIDITY_PERIOD', 'bigint'),
    ], pk=['REG_ID'], uniques=[(None, ['SUBSCRIBER_ID', 'APP_ID', 'TOKEN_TYPE'])], fks=[
        fk(['SUBSCRIBER_ID'], 'AM_SUBSCRIBER', ['SUBSCRIBER_ID'], 'RESTRICT', 'CASCADE'),
        fk(['APP_ID'], 'AM_APPLICATION', ['APPLICATION_ID'], 'RESTRICT', 'CASCADE'),
    ], seq=S('AM_APPLICATION_REGISTRATION')),
    Table('AM_API_LC_EVENT', [
        C('EVENT_ID', 'id'),
        C('API_ID', 'int', 'notnull'),
        C('PREVIOUS_STATE', 'varchar(50)'),
        C('NEW_STATE', 'varchar(50)', 'notnull'),
        C('USER_ID', 'varchar(50)', 'notnull'),
        C('TENANT_ID', 'int', 'notnull'),
        C('EVENT_DATE', 'ts', 'notnull'),
    ], pk=['EVENT_ID'], fks=[fk(['API_ID'], 'AM_API', ['API_ID'], 'RESTRICT', 'CASCADE')],
        seq=S('AM_API_LC_EVENT')),
    Table('AM_APP_KEY_DOMAIN_MAPPING', [
        C('CONSUMER_KEY', 'varchar(255)'),
        C('AUTHZ_DOMAIN', 'varchar(255)', default='ALL'),
    ], pk=['CONSUMER_KEY', 'AUTHZ_DOMAIN']),
    Table('AM_API_COMMENTS', [
        C('COMMENT_ID', 'id'),
        C('COMMENT_TEXT', 'varchar(512)'),
        C('COMMENTED_USER', 'varchar(255)'),
        C('DATE_COMMENTED', 'ts', 'notnull'),
        C('API_ID', 'int', 'notnull'),
    ], pk=['COMMENT_ID'], fks=[fk(['API_ID'], 'AM_API', ['API_ID'], 'RESTRICT', 'CASCADE')],
        seq=S('AM_API_COMMENTS')),
    Table('AM_API_RATINGS', [
        C('RATING_ID', 'id'),
        C('API_ID', 'int'),
        C('RATING', 'int'),
        C('SUBSCRIBER_ID', 'int'),
    ], pk=['RATING_ID'], fks=[
        fk(['API_ID'], 'AM_API', ['API_ID'], 'RESTRICT', 'CASCADE'),
        fk(['SUBSCRIBER_ID'], 'AM_SUBSCRIBER', ['SUBSCRIBER_ID'], 'RESTRICT', 'CASCADE'),
    ], seq=S('AM_API_RATINGS')),
    Table('AM_TIER_PERMISSIONS', [
        C('TIER_PERMISSIONS_ID', 'id'),
        C('TIER', 'varchar(50)', 'notnull'),
        C('PERMISSIONS_TYPE', 'varchar(50)', 'notnull'),
        C('ROLES', 'varchar(512)', 'notnull'),
        C('TENANT_ID', 'int', 'notnull'),
    ], pk=['TIER_PERMISSIONS_ID'], seq=S('AM_TIER_PERMISSIONS')),
    # SCOPE_ID refers to IDN_OAUTH2_SCOPE, which belongs to the `identity` component and may live in another
    # datasource: no foreign key (WSO2 declares one because both share WSO2AM_DB).
    Table('AM_API_SCOPES', [
        C('API_ID', 'int', 'notnull'),
        C('SCOPE_ID', 'int', 'notnull'),
    ], pk=['API_ID', 'SCOPE_ID'], fks=[fk(['API_ID'], 'AM_API', ['API_ID'], 'CASCADE', 'CASCADE')]),
    Table('AM_API_DEFAULT_VERSION', [
        C('DEFAULT_VERSION_ID', 'id'),
        C('API_NAME', 'varchar(256)', 'notnull'),
        C('API_PROVIDER', 'varchar(256)', 'notnull'),
        C('DEFAULT_API_VERSION', 'varchar(30)'),
        C('PUBLISHED_DEFAULT_API_VERSION', 'varchar(30)'),
    ], pk=['DEFAULT_VERSION_ID'], seq=S('AM_API_DEFAULT_VERSION')),
    Table('AM_POLICY_SUBSCRIPTION', [
        C('POLICY_ID', 'id'),
        C('NAME', 'varchar(512)', 'notnull'),
        C('DISPLAY_NAME', 'varchar(512)'),
        C('TENANT_ID', 'int', 'notnull'),
        C('DESCRIPTION', 'varchar(1024)'),
    ] + quota_cols() + [
        C('RATE_LIMIT_COUNT', 'int'),
        C('RATE_LIMIT_TIME_UNIT', 'varchar(25)'),
        C('IS_DEPLOYED', 'bool', 'notnull', default=False),
        C('CUSTOM_ATTRIBUTES', 'blob'),
        C('STOP_ON_QUOTA_REACH', 'bool', 'notnull', default=False),
        C('BILLING_PLAN', 'varchar(20)', 'notnull'),
        C('UUID', 'varchar(256)'),
    ], pk=['POLICY_ID'], uniques=[NAME_TENANT, UUID_U], indexes=[('IDX_APS_QT', ['QUOTA_TYPE'], False)],
        seq='AM_POLICY_SUBSCRIPTION_SEQ'),
    Table('AM_POLICY_APPLICATION', [
        C('POLICY_ID', 'id'),
        C('NAME', 'varchar(512)', 'notnull'),
        C('DISPLAY_NAME', 'varchar(512)'),
        C('TENANT_ID', 'int', 'notnull'),
        C('DESCRIPTION', 'varchar(1024)'),
    ] + quota_cols() + [
        C('IS_DEPLOYED', 'bool', 'notnull', default=False),
        C('CUSTOM_ATTRIBUTES', 'blob'),
        C('UUID', 'varchar(256)'),
    ], pk=['POLICY_ID'], uniques=[NAME_TENANT, UUID_U], indexes=[('IDX_APA_QT', ['QUOTA_TYPE'], False)],
        seq='AM_POLICY_APPLICATION_SEQ'),
    Table('AM_POLICY_HARD_THROTTLING', [
        C('POLICY_ID', 'id'),
        C('NAME', 'varchar(512)', 'notnull'),
        C('TENANT_ID', 'int', 'notnull'),
        C('DESCRIPTION', 'varchar(1024)'),
    ] + quota_cols() + [
        C('IS_DEPLOYED', 'bool', 'notnull', default=False),
    ], pk=['POLICY_ID'], uniques=[NAME_TENANT], seq='AM_POLICY_HARD_THROTTLING_SEQ'),
    Table('AM_API_THROTTLE_POLICY', [
        C('POLICY_ID', 'id'),
        C('NAME', 'varchar(512)', 'notnull'),
        C('DISPLAY_NAME', 'varchar(512)'),
        C('TENANT_ID', 'int', 'notnull'),
        C('DESCRIPTION', 'varchar(1024)'),
    ] + quota_cols('DEFAULT_') + [
        C('APPLICABLE_LEVEL', 'varchar(25)', 'notnull'),
        C('IS_DEPLOYED', 'bool', 'notnull', default=False),
        C('UUID', 'varchar(256)'),
    ], pk=['POLICY_ID'], uniques=[NAME_TENANT, UUID_U], indexes=[('IDX_AATP_DQT', ['DEFAULT_QUOTA_TYPE'], False)],
        seq='AM_API_THROTTLE_POLICY_SEQ'),
    Table('AM_CONDITION_GROUP', [
        C('CONDITION_GROUP_ID', 'id'),
        C('POLICY_ID', 'int', 'notnull'),
        C('QUOTA_TYPE', 'varchar(25)'),
        C('QUOTA', 'int', 'notnull'),
        C('QUOTA_UNIT', 'varchar(10)'),
        C('UNIT_TIME', 'int', 'notnull'),
        C('TIME_UNIT', 'varchar(25)', 'notnull'),
        C('DESCRIPTION', 'varchar(1024)'),
    ], pk=['CONDITION_GROUP_ID'], indexes=[('IDX_ACG_QT', ['QUOTA_TYPE'], False)],
        fks=[fk(['POLICY_ID'], 'AM_API_THROTTLE_POLICY', ['POLICY_ID'], 'CASCADE', 'CASCADE')],
        seq='AM_CONDITION_GROUP_SEQ'),
    condition('AM_QUERY_PARAMETER_CONDITION', 'QUERY_PARAMETER_ID', [
        C('PARAMETER_NAME', 'varchar(255)'), C('PARAMETER_VALUE', 'varchar(255)'),
        C('IS_PARAM_MAPPING', 'bool', default=True)]),
    condition('AM_HEADER_FIELD_CONDITION', 'HEADER_FIELD_ID', [
        C('HEADER_FIELD_NAME', 'varchar(255)'), C('HEADER_FIELD_VALUE', 'varchar(255)'),
        C('IS_HEADER_FIELD_MAPPING', 'bool', default=True)]),
    condition('AM_JWT_CLAIM_CONDITION', 'JWT_CLAIM_ID', [
        C('CLAIM_URI', 'varchar(512)'), C('CLAIM_ATTRIB', 'varchar(1024)'),
        C('IS_CLAIM_MAPPING', 'bool', default=True)]),
    Table('AM_IP_CONDITION', [
        C('AM_IP_CONDITION_ID', 'id'),
        C('STARTING_IP', 'varchar(45)'),
        C('ENDING_IP', 'varchar(45)'),
        C('SPECIFIC_IP', 'varchar(45)'),
        C('WITHIN_IP_RANGE', 'bool', default=True),
        C('CONDITION_GROUP_ID', 'int'),
    ], pk=['AM_IP_CONDITION_ID'],
        fks=[fk(['CONDITION_GROUP_ID'], 'AM_CONDITION_GROUP', ['CONDITION_GROUP_ID'], 'CASCADE', 'CASCADE')],
        seq='AM_IP_CONDITION_SEQ'),
    Table('AM_POLICY_GLOBAL', [
        C('POLICY_ID', 'id'),
        C('NAME', 'varchar(512)', 'notnull'),
        C('KEY_TEMPLATE', 'varchar(512)', 'notnull'),
        C('TENANT_ID', 'int', 'notnull'),
        C('DESCRIPTION', 'varchar(1024)'),
        C('SIDDHI_QUERY', 'blob'),
        C('IS_DEPLOYED', 'bool', 'notnull', default=False),
        C('UUID', 'varchar(256)'),
    ], pk=['POLICY_ID'], uniques=[UUID_U], seq='AM_POLICY_GLOBAL_SEQ'),
    Table('AM_THROTTLE_TIER_PERMISSIONS', [
        C('THROTTLE_TIER_PERMISSIONS_ID', 'id'),
        C('TIER', 'varchar(50)'),
        C('PERMISSIONS_TYPE', 'varchar(50)'),
        C('ROLES', 'varchar(512)'),
        C('TENANT_ID', 'int'),
    ], pk=['THROTTLE_TIER_PERMISSIONS_ID'], seq='AM_THROTTLE_TIER_PERMISSIONS_SEQ'),
    Table('AM_BLOCK_CONDITIONS', [
        C('CONDITION_ID', 'id'),
        C('TYPE', 'varchar(45)'),
        C('VALUE', 'varchar(512)'),
        C('ENABLED', 'varchar(45)'),
        C('DOMAIN', 'varchar(45)'),
        C('UUID', 'varchar(256)'),
    ], pk=['CONDITION_ID'], uniques=[UUID_U], seq='AM_BLOCK_CONDITIONS_SEQ'),
    Table('AM_APPLICATION_ATTRIBUTES', [
        C('APPLICATION_ID', 'int', 'notnull'),
        C('NAME', 'varchar(255)', 'notnull'),
        C('VALUE', 'varchar(1024)', 'notnull'),
        C('TENANT_ID', 'int', 'notnull'),
    ], pk=['APPLICATION_ID', 'NAME'],
        fks=[fk(['APPLICATION_ID'], 'AM_APPLICATION', ['APPLICATION_ID'], 'CASCADE', 'CASCADE')]),
    Table('AM_APPLICATION_GROUP_MAPPING', [
        C('APPLICATION_ID', 'int', 'notnull'),
        C('GROUP_ID', 'varchar(512)'),
        C('TENANT', 'varchar(255)'),
    ], pk=['APPLICATION_ID', 'GROUP_ID', 'TENANT'],
        fks=[fk(['APPLICATION_ID'], 'AM_APPLICATION', ['APPLICATION_ID'], 'CASCADE', 'CASCADE')]),
    Table('AM_WORKFLOWS', [
        C('WF_ID', 'id'),
        C('WF_REFERENCE', 'varchar(255)', 'notnull'),
        C('WF_TYPE', 'varchar(255)', 'notnull'),
        C('WF_STATUS', 'varchar(255)', 'notnull'),
        C('WF_CREATED_TIME', 'ts', default='now'),
        C('WF_UPDATED_TIME', 'ts'),
        C('WF_STATUS_DESC', 'varchar(1000)'),
        C('TENANT_ID', 'int'),
        C('TENANT_DOMAIN', 'varchar(255)'),
        C('WF_EXTERNAL_REFERENCE', 'varchar(255)', 'notnull'),
    ], pk=['WF_ID'], uniques=[(None, ['WF_EXTERNAL_REFERENCE'])], seq=S('AM_WORKFLOWS')),
]
