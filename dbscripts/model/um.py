"""User-management tables (the realm datasource), as in WSO2 carbon-kernel 4.4.35 dbscripts/postgresql.sql."""
from schema import C, Table

TITLE = 'User management (UM_*): the realm datasource of user-mgt.xml (WSO2 carbon-kernel 4.4.35 layout).'
ID_T = ['UM_ID', 'UM_TENANT_ID']
T0 = dict(default=0)


def user_like(name, extra_idx=()):
    return Table(name, [
        C('UM_ID', 'id'),
        C('UM_USER_NAME', 'varchar(255)', 'notnull'),
        C('UM_USER_PASSWORD', 'varchar(255)', 'notnull'),
        C('UM_SALT_VALUE', 'varchar(31)'),
        C('UM_REQUIRE_CHANGE', 'bool', default=False),
        C('UM_CHANGED_TIME', 'ts', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, uniques=[(None, ['UM_USER_NAME', 'UM_TENANT_ID'])], indexes=list(extra_idx))


TABLES = [
    Table('UM_TENANT', [
        C('UM_ID', 'id'),
        C('UM_DOMAIN_NAME', 'varchar(255)', 'notnull'),
        C('UM_EMAIL', 'varchar(255)'),
        C('UM_ACTIVE', 'bool', default=False),
        C('UM_CREATED_DATE', 'ts', 'notnull'),
        C('UM_USER_CONFIG', 'longblob'),
    ], pk=['UM_ID'], uniques=[(None, ['UM_DOMAIN_NAME'])],
        indexes=[('INDEX_UM_TENANT_UM_DOMAIN_NAME', ['UM_DOMAIN_NAME'], False)]),
    Table('UM_DOMAIN', [
        C('UM_DOMAIN_ID', 'id'),
        C('UM_DOMAIN_NAME', 'varchar(255)'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=['UM_DOMAIN_ID', 'UM_TENANT_ID'], uniques=[(None, ['UM_DOMAIN_NAME', 'UM_TENANT_ID'])]),
    user_like('UM_USER', [('INDEX_UM_USERNAME_UM_TENANT_ID', ['UM_USER_NAME', 'UM_TENANT_ID'], True)]),
    user_like('UM_SYSTEM_USER'),
    Table('UM_ROLE', [
        C('UM_ID', 'id'),
        C('UM_ROLE_NAME', 'varchar(255)', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
        C('UM_SHARED_ROLE', 'bool', default=False),
    ], pk=ID_T, uniques=[(None, ['UM_ROLE_NAME', 'UM_TENANT_ID'])]),
    Table('UM_MODULE', [
        C('UM_ID', 'id'),
        C('UM_MODULE_NAME', 'varchar(100)'),
    ], pk=['UM_ID'], uniques=[(None, ['UM_MODULE_NAME'])]),
    Table('UM_MODULE_ACTIONS', [
        C('UM_ACTION', 'varchar(255)', 'notnull'),
        C('UM_MODULE_ID', 'int', 'notnull'),
    ], pk=['UM_ACTION', 'UM_MODULE_ID'],
        fks=[(None, ['UM_MODULE_ID'], 'UM_MODULE', ['UM_ID'], 'CASCADE', None)]),
    Table('UM_PERMISSION', [
        C('UM_ID', 'id'),
        C('UM_RESOURCE_ID', 'varchar(255)', 'notnull'),
        C('UM_ACTION', 'varchar(255)', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
        C('UM_MODULE_ID', 'int', **T0),
    ], pk=ID_T, uniques=[(None, ['UM_RESOURCE_ID', 'UM_ACTION', 'UM_TENANT_ID'])],
        indexes=[('INDEX_UM_PERMISSION_UM_RESOURCE_ID_UM_ACTION', ['UM_RESOURCE_ID', 'UM_ACTION', 'UM_TENANT_ID'],
                  False)]),
    Table('UM_ROLE_PERMISSION', [
        C('UM_ID', 'id'),
        C('UM_PERMISSION_ID', 'int', 'notnull'),
        C('UM_ROLE_NAME', 'varchar(255)', 'notnull'),
        C('UM_IS_ALLOWED', 'smallint', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
        C('UM_DOMAIN_ID', 'int'),
    ], pk=ID_T, fks=[
        (None, ['UM_PERMISSION_ID', 'UM_TENANT_ID'], 'UM_PERMISSION', ID_T, 'CASCADE', None),
        (None, ['UM_DOMAIN_ID', 'UM_TENANT_ID'], 'UM_DOMAIN', ['UM_DOMAIN_ID', 'UM_TENANT_ID'], 'CASCADE', None),
    ]),
    Table('UM_USER_PERMISSION', [
        C('UM_ID', 'id'),
        C('UM_PERMISSION_ID', 'int', 'notnull'),
        C('UM_USER_NAME', 'varchar(255)', 'notnull'),
        C('UM_IS_ALLOWED', 'smallint', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, fks=[(None, ['UM_PERMISSION_ID', 'UM_TENANT_ID'], 'UM_PERMISSION', ID_T, 'CASCADE', None)]),
    Table('UM_USER_ROLE', [
        C('UM_ID', 'id'),
        C('UM_ROLE_ID', 'int', 'notnull'),
        C('UM_USER_ID', 'int', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, uniques=[(None, ['UM_USER_ID', 'UM_ROLE_ID', 'UM_TENANT_ID'])], fks=[
        (None, ['UM_ROLE_ID', 'UM_TENANT_ID'], 'UM_ROLE', ID_T, None, None),
        (None, ['UM_USER_ID', 'UM_TENANT_ID'], 'UM_USER', ID_T, None, None),
    ]),
    Table('UM_SHARED_USER_ROLE', [
        C('UM_ROLE_ID', 'int', 'notnull'),
        C('UM_USER_ID', 'int', 'notnull'),
        C('UM_USER_TENANT_ID', 'int', 'notnull'),
        C('UM_ROLE_TENANT_ID', 'int', 'notnull'),
    ], uniques=[(None, ['UM_USER_ID', 'UM_ROLE_ID', 'UM_USER_TENANT_ID', 'UM_ROLE_TENANT_ID'])], fks=[
        (None, ['UM_ROLE_ID', 'UM_ROLE_TENANT_ID'], 'UM_ROLE', ID_T, 'CASCADE', None),
        (None, ['UM_USER_ID', 'UM_USER_TENANT_ID'], 'UM_USER', ID_T, 'CASCADE', None),
    ]),
    Table('UM_ACCOUNT_MAPPING', [
        C('UM_ID', 'id'),
        C('UM_USER_NAME', 'varchar(255)', 'notnull'),
        C('UM_TENANT_ID', 'int', 'notnull'),
        C('UM_USER_STORE_DOMAIN', 'varchar(100)'),
        C('UM_ACC_LINK_ID', 'int', 'notnull'),
    ], pk=['UM_ID'], uniques=[(None, ['UM_USER_NAME', 'UM_TENANT_ID', 'UM_USER_STORE_DOMAIN', 'UM_ACC_LINK_ID'])],
        fks=[(None, ['UM_TENANT_ID'], 'UM_TENANT', ['UM_ID'], 'CASCADE', None)], seq='UM_ACCOUNT_MAPPING_SEQ'),
    Table('UM_USER_ATTRIBUTE', [
        C('UM_ID', 'id'),
        C('UM_ATTR_NAME', 'varchar(255)', 'notnull'),
        C('UM_ATTR_VALUE', 'varchar(1024)'),
        C('UM_PROFILE_ID', 'varchar(255)'),
        C('UM_USER_ID', 'int'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, indexes=[
        ('UM_USER_ID_INDEX', ['UM_USER_ID'], False),
        # utf8mb4 keys are limited to 3072 bytes: MySQL indexes a 500-character prefix of the value.
        ('UM_ATTR_NAME_VALUE_INDEX', ['UM_ATTR_NAME', 'UM_ATTR_VALUE(500)'], False),
    ], fks=[(None, ['UM_USER_ID', 'UM_TENANT_ID'], 'UM_USER', ID_T, None, None)]),
    Table('UM_DIALECT', [
        C('UM_ID', 'id'),
        C('UM_DIALECT_URI', 'varchar(255)', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, uniques=[(None, ['UM_DIALECT_URI', 'UM_TENANT_ID'])]),
    Table('UM_CLAIM', [
        C('UM_ID', 'id'),
        C('UM_DIALECT_ID', 'int', 'notnull'),
        C('UM_CLAIM_URI', 'varchar(255)', 'notnull'),
        C('UM_DISPLAY_TAG', 'varchar(255)'),
        C('UM_DESCRIPTION', 'varchar(255)'),
        C('UM_MAPPED_ATTRIBUTE_DOMAIN', 'varchar(255)'),
        C('UM_MAPPED_ATTRIBUTE', 'varchar(255)'),
        C('UM_REG_EX', 'varchar(255)'),
        C('UM_SUPPORTED', 'smallint'),
        C('UM_REQUIRED', 'smallint'),
        C('UM_DISPLAY_ORDER', 'int'),
        C('UM_CHECKED_ATTRIBUTE', 'smallint'),
        C('UM_READ_ONLY', 'smallint'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, uniques=[(None, ['UM_DIALECT_ID', 'UM_CLAIM_URI', 'UM_TENANT_ID'])],
        fks=[(None, ['UM_DIALECT_ID', 'UM_TENANT_ID'], 'UM_DIALECT', ID_T, None, None)]),
    Table('UM_PROFILE_CONFIG', [
        C('UM_ID', 'id'),
        C('UM_DIALECT_ID', 'int', 'notnull'),
        C('UM_PROFILE_NAME', 'varchar(255)'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, fks=[(None, ['UM_DIALECT_ID', 'UM_TENANT_ID'], 'UM_DIALECT', ID_T, None, None)]),
    Table('UM_CLAIM_BEHAVIOR', [
        C('UM_ID', 'id'),
        C('UM_PROFILE_ID', 'int'),
        C('UM_CLAIM_ID', 'int'),
        C('UM_BEHAVIOUR', 'smallint'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, fks=[
        (None, ['UM_PROFILE_ID', 'UM_TENANT_ID'], 'UM_PROFILE_CONFIG', ID_T, None, None),
        (None, ['UM_CLAIM_ID', 'UM_TENANT_ID'], 'UM_CLAIM', ID_T, None, None),
    ]),
    Table('UM_HYBRID_ROLE', [
        C('UM_ID', 'id'),
        C('UM_ROLE_NAME', 'varchar(255)'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T),
    Table('UM_HYBRID_USER_ROLE', [
        C('UM_ID', 'id'),
        C('UM_USER_NAME', 'varchar(255)'),
        C('UM_ROLE_ID', 'int', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
        C('UM_DOMAIN_ID', 'int'),
    ], pk=ID_T, uniques=[(None, ['UM_USER_NAME', 'UM_ROLE_ID', 'UM_TENANT_ID', 'UM_DOMAIN_ID'])], fks=[
        (None, ['UM_ROLE_ID', 'UM_TENANT_ID'], 'UM_HYBRID_ROLE', ID_T, 'CASCADE', None),
        (None, ['UM_DOMAIN_ID', 'UM_TENANT_ID'], 'UM_DOMAIN', ['UM_DOMAIN_ID', 'UM_TENANT_ID'], 'CASCADE', None),
    ]),
    Table('UM_SYSTEM_ROLE', [
        C('UM_ID', 'id'),
        C('UM_ROLE_NAME', 'varchar(255)'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T),
    Table('UM_SYSTEM_USER_ROLE', [
        C('UM_ID', 'id'),
        C('UM_USER_NAME', 'varchar(255)'),
        C('UM_ROLE_ID', 'int', 'notnull'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T, uniques=[(None, ['UM_USER_NAME', 'UM_ROLE_ID', 'UM_TENANT_ID'])],
        fks=[(None, ['UM_ROLE_ID', 'UM_TENANT_ID'], 'UM_SYSTEM_ROLE', ID_T, None, None)]),
    Table('UM_HYBRID_REMEMBER_ME', [
        C('UM_ID', 'id'),
        C('UM_USER_NAME', 'varchar(255)', 'notnull'),
        C('UM_COOKIE_VALUE', 'varchar(1024)'),
        C('UM_CREATED_TIME', 'ts'),
        C('UM_TENANT_ID', 'int', **T0),
    ], pk=ID_T),
]
