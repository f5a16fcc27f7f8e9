#!/usr/bin/python3
"""Regenerate the example conf folders of conf/examples/ from the project's default conf/ (run it after
changing conf/): each node of each layout is a complete conf folder, the defaults with only what that node
needs changed (offset, datasources, key manager URLs). See docs/deployment.md."""
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(HERE)

DBS = {
    "postgresql": {"driver": "org.postgresql.Driver",
                   "am": "jdbc:postgresql://localhost:5432/apimgtdb",
                   "um": "jdbc:postgresql://localhost:5432/userdb"},
    "mysql": {"driver": "com.mysql.jdbc.Driver",
              "am": "jdbc:mysql://localhost:3306/apimgtdb",
              "um": "jdbc:mysql://localhost:3306/userdb"},
}

# layout -> [(node folder, offset, profile, what it is)]
LAYOUTS = {
    "two-node": [
        ("api-manager", 0, "gateway,publisher,devportal,admin", "API Manager node: gateway, Publisher, Store, Admin"),
        ("key-manager", 1, "key-manager", "Key manager node (WSO2's tutorial: same machine, Offset 1)"),
    ],
    "cluster": [
        ("key-manager", 1, "key-manager", "Key manager node"),
        ("gateway-1", 0, "gateway", "Gateway node 1"),
        ("gateway-2", 2, "gateway", "Gateway node 2"),
        ("portal", 3, "publisher,devportal,admin", "Portal node: Publisher, Store, Admin"),
    ],
}
KM_OFFSET = 1


def edit(path, pattern, repl):
    with open(path) as f:
        s = f.read()
    s2, n = re.subn(pattern, repl, s, count=1, flags=re.S)
    if n != 1:
        raise SystemExit("%s: %r not found" % (path, pattern))
    with open(path, "w") as f:
        f.write(s2)


def datasource(path, name, url, driver):
    for tag, val in (("url", url), ("username", "gatehouse"), ("password", "gatehouse"), ("driverClassName", driver)):
        edit(path, r"(<name>%s</name>.*?<%s>)[^<]*(</%s>)" % (name, tag, tag), r"\g<1>%s\g<2>" % val)


def node(layout, db, name, offset, profile, what):
    out = os.path.join(HERE, "%s-%s" % (layout, db), name)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(CONF, out, ignore=shutil.ignore_patterns("examples", "security", "*.pem"))
    d = DBS[db]
    # (no double hyphen may appear in an XML comment: the profile is named, not spelled as an option)
    note = ("\n  Example %s-%s, node %s: %s. Profile: %s (the PROFILE file beside this one).\n"
            "  See docs/deployment.md. Generated from conf/ by conf/examples/generate.py.\n"
            % (layout, db, name, what, profile))
    edit(os.path.join(out, "carbon.xml"), r"<Offset>\s*\d+\s*</Offset>", "<Offset>%d</Offset>" % offset)
    ds = os.path.join(out, "datasources", "master-datasources.xml")
    datasource(ds, "WSO2_CARBON_DB", d["um"], d["driver"])
    datasource(ds, "WSO2AM_DB", d["am"], d["driver"])
    am = os.path.join(out, "api-manager.xml")
    edit(am, r"<!--\n", "<!--" + note)
    km = "https://localhost:%d${carbon.context}services/" % (9443 + KM_OFFSET)
    if name != "key-manager":
        # the tutorial's edits: AuthManager and APIKeyValidator at the key manager, WSClient
        edit(am, r"(<AuthManager>\s*<ServerURL>)[^<]*(</ServerURL>)", r"\g<1>%s\g<2>" % km)
        edit(am, r"(<APIKeyValidator>\s*<ServerURL>)[^<]*(</ServerURL>)", r"\g<1>%s\g<2>" % km)
        edit(am, r"<KeyValidatorClientType>[^<]*</KeyValidatorClientType>",
             "<KeyValidatorClientType>WSClient</KeyValidatorClientType>")
    # the backend JWT is made by the key manager, asked for by the gateway: the same switch on both
    edit(am, r"<EnableJWTGeneration>false</EnableJWTGeneration>", "<EnableJWTGeneration>true</EnableJWTGeneration>")
    edit(am, r"<!--ClaimsRetrieverImplClass>(.*?)</ClaimsRetrieverImplClass-->",
         r"<ClaimsRetrieverImplClass>\1</ClaimsRetrieverImplClass>")
    with open(os.path.join(out, "PROFILE"), "w") as f:
        f.write(profile + "\n")


def main():
    for layout, nodes in LAYOUTS.items():
        for db in DBS:
            for n in nodes:
                node(layout, db, *n)


if __name__ == "__main__":
    main()
