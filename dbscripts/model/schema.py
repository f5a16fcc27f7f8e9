"""A small, dialect-neutral table model and the three SQL emitters (PostgreSQL, MySQL/MariaDB, SQLite).

The <component>-0001.sql files are generated from dbscripts/model/<component>.py so that the three dialects
cannot drift apart; regenerate with `python3 dbscripts/model/generate.py` (see docs/schema.md). Later
migrations (<component>-0002.sql and up) are hand-written per dialect and never regenerated.

Column types: 'id' (auto-increment integer key), 'int', 'bigint', 'smallint', 'varchar(N)', 'char(N)', 'bool',
'ts' (TIMESTAMP), 'blob', 'longblob'.
"""


class Col:
    def __init__(self, name, type_, null=True, default=None, mysql_type=None):
        self.name, self.type, self.null, self.default, self.mysql_type = name, type_, null, default, mysql_type


class Table:
    def __init__(self, name, cols, pk=(), uniques=(), indexes=(), fks=(), seq=None):
        """uniques: [(name or None, [cols])]; indexes: [(name, [cols], unique)] where a col may be
        'COL(n)' to use a MySQL prefix (other dialects index the whole column);
        fks: [(name or None, [cols], ref_table, [ref_cols], on_delete, on_update)]."""
        self.name, self.cols, self.pk = name, cols, list(pk)
        self.uniques, self.indexes, self.fks, self.seq = list(uniques), list(indexes), list(fks), seq

    def auto(self):
        return next((c for c in self.cols if c.type == 'id'), None)


def C(name, type_, *flags, default=None, mysql_type=None):
    return Col(name, type_, null='notnull' not in flags, default=default, mysql_type=mysql_type)


def _base_type(d, c):
    t = c.type
    if d == 'mysql' and c.mysql_type:
        return c.mysql_type
    if t in ('id', 'int'):
        return 'INTEGER'
    if t in ('bigint', 'smallint'):
        return t.upper()
    if t.startswith('varchar') or t.startswith('char'):
        return t.upper()
    if t == 'bool':
        return {'postgresql': 'BOOLEAN', 'mysql': 'BOOLEAN', 'sqlite': 'INTEGER'}[d]
    if t == 'ts':
        return {'postgresql': 'TIMESTAMP', 'mysql': 'DATETIME(3)', 'sqlite': 'TIMESTAMP'}[d]
    if t in ('blob', 'longblob'):
        return {'postgresql': 'BYTEA', 'mysql': t.upper(), 'sqlite': 'BLOB'}[d]
    raise ValueError('unknown type ' + t)


def _default(d, c):
    v = c.default
    if v is None:
        return ''
    if c.type == 'bool':
        return ' DEFAULT ' + ({'sqlite': '1' if v else '0'}.get(d, 'TRUE' if v else 'FALSE'))
    if v == 'now':
        return ' DEFAULT ' + ('CURRENT_TIMESTAMP(3)' if d == 'mysql' else 'CURRENT_TIMESTAMP')
    if isinstance(v, str):
        return " DEFAULT '" + v.replace("'", "''") + "'"
    return ' DEFAULT ' + str(v)


def _cols(cols, d):
    out = []
    for c in cols:
        name = c.split('(')[0]
        out.append(c if d == 'mysql' else name)
    return ', '.join(out)


def seq_name(t):
    return t.seq or (t.name + '_PK_SEQ')


def emit_table(t, d):
    """The statements that create table t in dialect d, each ending with ';' at the end of a line."""
    out = []
    auto = t.auto()
    sqlite_rowid = d == 'sqlite' and auto is not None
    if d == 'postgresql' and auto is not None:
        out.append('CREATE SEQUENCE IF NOT EXISTS %s;' % seq_name(t))
    lines = []
    for c in t.cols:
        s = '    %s %s' % (c.name, _base_type(d, c))
        in_pk = c.name in t.pk
        if c.type == 'id':
            if d == 'postgresql':
                s += " NOT NULL DEFAULT NEXTVAL('%s')" % seq_name(t)
            elif d == 'mysql':
                s += ' NOT NULL AUTO_INCREMENT'
            else:
                s += ' PRIMARY KEY AUTOINCREMENT'
        else:
            if not c.null or in_pk:
                s += ' NOT NULL'
            s += _default(d, c)
        lines.append(s)
    if t.pk and not sqlite_rowid:
        lines.append('    PRIMARY KEY (%s)' % ', '.join(t.pk))
    if sqlite_rowid and len(t.pk) > 1:
        # SQLite can only auto-increment a one-column INTEGER PRIMARY KEY: the logical composite key
        # becomes a UNIQUE constraint so foreign keys to (id, tenant) still resolve.
        lines.append('    UNIQUE (%s)' % ', '.join(t.pk))
    idx_after = []
    for name, cols in t.uniques:
        if name is None:
            lines.append('    UNIQUE (%s)' % ', '.join(cols))
        elif d == 'sqlite':
            # SQLite forgets constraint names; a named unique index keeps the name in the catalogue.
            idx_after.append((name, cols, True))
        else:
            lines.append('    CONSTRAINT %s UNIQUE (%s)' % (name, ', '.join(cols)))
    for name, cols, unique in t.indexes:
        if d == 'mysql':
            lines.append('    %sINDEX %s (%s)' % ('UNIQUE ' if unique else '', name, _cols(cols, d)))
        else:
            idx_after.append((name, cols, unique))
    for name, cols, ref, rcols, on_del, on_upd in t.fks:
        s = '    %sFOREIGN KEY (%s) REFERENCES %s (%s)' % ('CONSTRAINT %s ' % name if name else '',
                                                         ', '.join(cols), ref, ', '.join(rcols))
        if on_del:
            s += ' ON DELETE ' + on_del
        if on_upd:
            s += ' ON UPDATE ' + on_upd
        lines.append(s)
    tail = ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;' if d == 'mysql' else ');'
    out.append('CREATE TABLE IF NOT EXISTS %s (\n%s\n%s' % (t.name, ',\n'.join(lines), tail))
    for name, cols, unique in idx_after:
        out.append('CREATE %sINDEX IF NOT EXISTS %s ON %s (%s);' % ('UNIQUE ' if unique else '', name, t.name,
                                                                   _cols(cols, d)))
    return '\n'.join(out)


def emit_script(component, tables, d, title):
    head = ['-- Gatehouse schema: component `%s`, version 1, dialect %s.' % (component, d),
            '-- %s' % title,
            '-- GENERATED by dbscripts/model/generate.py from dbscripts/model/%s.py: edit the model, not this file.'
            % component,
            '-- Re-runnable: IF NOT EXISTS everywhere, nothing is dropped or altered.', '']
    return '\n'.join(head) + '\n' + '\n\n'.join(emit_table(t, d) for t in tables) + '\n'
