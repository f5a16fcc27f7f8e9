"""The registry tables Gatehouse uses for API metadata (WSO2 carbon registry 4.6 dbscripts/postgresql.sql)."""
from schema import C, Table

TITLE = 'Registry (REG_*): the minimal set of WSO2_CARBON_DB registry tables Gatehouse keeps API metadata in.'
K = ['REG_TENANT_ID']
T0 = dict(default=0)
PATH_FK = ['REG_PATH_ID', 'REG_TENANT_ID'], 'REG_PATH', ['REG_PATH_ID', 'REG_TENANT_ID']


def fk(name, cols, ref, rcols):
    return (name, cols, ref, rcols, None, None)


def resource_link(name, link_col, link_table, fk_suffix, extra_idx):
    return Table(name, [
        C('ID', 'id'),
        C(link_col, 'int', 'notnull'),
        C('REG_VERSION', 'int'),
        C('REG_PATH_ID', 'int'),
        C('REG_RESOURCE_NAME', 'varchar(256)'),
        C('REG_TENANT_ID', 'int', **T0),
    ], pk=['ID'], indexes=[
        (name + '_IND_BY_PATH_ID_AND_RESOURCE_NAME', ['REG_PATH_ID', 'REG_RESOURCE_NAME', 'REG_TENANT_ID'], False),
        (name + '_IND_BY_VERSION', ['REG_VERSION', 'REG_TENANT_ID'], False),
    ] + extra_idx, fks=[
        fk(name + '_FK_BY_PATH_ID', *PATH_FK),
        fk(name + '_FK_BY_' + fk_suffix, [link_col, 'REG_TENANT_ID'], link_table, ['REG_ID', 'REG_TENANT_ID']),
    ])


TABLES = [
    Table('REG_LOG', [
        C('REG_LOG_ID', 'id'),
        C('REG_PATH', 'varchar(2000)'),
        C('REG_USER_ID', 'varchar(255)', 'notnull'),
        C('REG_LOGGED_TIME', 'ts', 'notnull'),
        C('REG_ACTION', 'int', 'notnull'),
        C('REG_ACTION_DATA', 'varchar(500)'),
        C('REG_TENANT_ID', 'int', **T0),
    ], pk=['REG_LOG_ID', 'REG_TENANT_ID'],
        indexes=[('REG_LOG_IND_BY_REG_LOGTIME', ['REG_LOGGED_TIME', 'REG_TENANT_ID'], False)]),
    Table('REG_PATH', [
        C('REG_PATH_ID', 'id'),
        # utf8mb4 keys are limited to 3072 bytes, and paths are case-sensitive: WSO2's MySQL script uses 750 too.
        C('REG_PATH_VALUE', 'varchar(2000)', 'notnull', mysql_type='VARCHAR(750) COLLATE utf8mb4_bin'),
        C('REG_PATH_PARENT_ID', 'int'),
        C('REG_TENANT_ID', 'int', **T0),
    ], pk=['REG_PATH_ID', 'REG_TENANT_ID'], uniques=[('UNIQUE_REG_PATH_TENANT_ID', ['REG_PATH_VALUE', 'REG_TENANT_ID'])],
        indexes=[('REG_PATH_IND_BY_PATH_PARENT_ID', ['REG_PATH_PARENT_ID', 'REG_TENANT_ID'], False)]),
    Table('REG_CONTENT', [
        C('REG_CONTENT_ID', 'id'),
        C('REG_CONTENT_DATA', 'longblob'),
        C('REG_TENANT_ID', 'int', **T0),
    ], pk=['REG_CONTENT_ID', 'REG_TENANT_ID']),
    Table('REG_RESOURCE', [
        C('REG_PATH_ID', 'int', 'notnull'),
        C('REG_NAME', 'varchar(256)'),
        C('REG_VERSION', 'id'),
        C('REG_MEDIA_TYPE', 'varchar(500)'),
        C('REG_CREATOR', 'varchar(255)', 'notnull'),
        C('REG_CREATED_TIME', 'ts', 'notnull'),
        C('REG_LAST_UPDATOR', 'varchar(255)'),
        C('REG_LAST_UPDATED_TIME', 'ts', 'notnull'),
        C('REG_DESCRIPTION', 'varchar(1000)'),
        C('REG_CONTENT_ID', 'int'),
        C('REG_TENANT_ID', 'int', **T0),
        C('REG_UUID', 'varchar(100)', 'notnull'),
    ], pk=['REG_VERSION', 'REG_TENANT_ID'], indexes=[
        ('REG_RESOURCE_IND_BY_NAME', ['REG_NAME', 'REG_TENANT_ID'], False),
        ('REG_RESOURCE_IND_BY_PATH_ID_NAME', ['REG_PATH_ID', 'REG_NAME', 'REG_TENANT_ID'], False),
        ('REG_RESOURCE_IND_BY_UUID', ['REG_UUID'], False),
        ('REG_RESOURCE_IND_BY_TENANT', ['REG_TENANT_ID', 'REG_UUID'], False),
        ('REG_RESOURCE_IND_BY_TYPE', ['REG_TENANT_ID', 'REG_MEDIA_TYPE'], False),
    ], fks=[
        fk('REG_RESOURCE_FK_BY_PATH_ID', *PATH_FK),
        fk('REG_RESOURCE_FK_BY_CONTENT_ID', ['REG_CONTENT_ID', 'REG_TENANT_ID'], 'REG_CONTENT',
           ['REG_CONTENT_ID', 'REG_TENANT_ID']),
    ]),
    Table('REG_TAG', [
        C('REG_ID', 'id'),
        C('REG_TAG_NAME', 'varchar(500)', 'notnull'),
        C('REG_USER_ID', 'varchar(255)', 'notnull'),
        C('REG_TAGGED_TIME', 'ts', 'notnull'),
        C('REG_TENANT_ID', 'int', **T0),
    ], pk=['REG_ID', 'REG_TENANT_ID']),
    resource_link('REG_RESOURCE_TAG', 'REG_TAG_ID', 'REG_TAG', 'TAG_ID',
                  [('REG_RESOURCE_TAG_IND_BY_REG_TAG_ID', ['REG_TAG_ID', 'REG_TENANT_ID'], False)]),
    Table('REG_PROPERTY', [
        C('REG_ID', 'id'),
        C('REG_NAME', 'varchar(100)', 'notnull'),
        C('REG_VALUE', 'varchar(1000)'),
        C('REG_TENANT_ID', 'int', **T0),
    ], pk=['REG_ID', 'REG_TENANT_ID']),
    # WSO2 really names this foreign key ..._FK_BY_TAG_ID (a copy-paste in its scripts); kept for fidelity.
    resource_link('REG_RESOURCE_PROPERTY', 'REG_PROPERTY_ID', 'REG_PROPERTY', 'TAG_ID',
                  [('REG_RESOURCE_PROPERTY_IND_BY_REG_PROP_ID', ['REG_TENANT_ID', 'REG_PROPERTY_ID'], False)]),
]
