#!/usr/bin/env python3
"""Regenerate dbscripts/<dialect>/<component>-0001.sql from the models in this folder.

Usage: python3 dbscripts/model/generate.py [component ...]     (default: every component)
Only the version-1 scripts are generated; later versions are hand-written migrations.
"""
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from schema import emit_script  # noqa: E402

COMPONENTS = ['registry', 'um', 'identity', 'apimgt']
DIALECTS = ['sqlite', 'postgresql', 'mysql']


def main(argv):
    for comp in argv or COMPONENTS:
        mod = importlib.import_module(comp)
        for d in DIALECTS:
            path = os.path.join(HERE, '..', d, '%s-0001.sql' % comp)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(emit_script(comp, mod.TABLES, d, mod.TITLE))
            print('wrote', os.path.normpath(path))


if __name__ == '__main__':
    main(sys.argv[1:])
