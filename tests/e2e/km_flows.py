"""Helpers for the key-manager end-to-end tests: a server per database, DCR, and the HTML login form."""
import base64
import html.parser
import json
import os
import urllib.parse

import requests

import ghtest

ADMIN = ("admin", "admin")


class KmServer:
    """gatehouse on a fresh database of `kind`; .base is the http management URL."""

    def __init__(self, kind, base_url, dbname="gh_km_e2e", edits=None, files=None):
        self.kind = kind
        self.conf = ghtest.ConfTree(offset=ghtest.free_offset())
        if kind == "sqlite":
            self.url, self.sqlite_path = None, os.path.join(self.conf.home, "repository", "database", "WSO2AM_DB.db")
        else:
            self.url = ghtest.fresh_database(kind, base_url, dbname)
            self.sqlite_path = None
            ghtest.point_all_datasources(self.conf, kind, self.url)
        for rel, pattern, repl in edits or ():
            self.conf.edit(rel, pattern, repl)
        for rel, text in files or ():
            self.conf.write(rel, text)
        self.srv = ghtest.Server(self.conf)
        self.srv.wait_ready(9763)
        self.base = self.srv.url(9763, "")

    def sql(self, query):
        return ghtest.sql(self.url, query, self.sqlite_path)

    def stop(self):
        try:
            if self.srv.proc.poll() is None:
                self.srv.stop()
        finally:
            self.conf.cleanup()

    def register(self, name, grants, redirect_uris=None, auth=ADMIN):
        body = {"client_name": name, "grant_types": grants}
        if redirect_uris:
            body["redirect_uris"] = redirect_uris
        r = requests.post(self.base + "/api/identity/oauth2/dcr/v1.1/register", json=body, auth=auth, timeout=30)
        return r


def basic(user, secret):
    """client_secret_basic as RFC 6749 §2.3.1 says: form-urlencode both parts, then base64."""
    raw = "%s:%s" % (urllib.parse.quote(user, safe=""), urllib.parse.quote(secret, safe=""))
    return "Basic " + base64.b64encode(raw.encode()).decode()


class FormParser(html.parser.HTMLParser):
    """The inputs of the first form of a page, and its labels (to check the page is labelled)."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self.action = {}, set(), None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        elif tag == "input" and a.get("name"):
            self.inputs[a["name"]] = a.get("value", "")
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])


def parse_form(text):
    p = FormParser()
    p.feed(text)
    return p


def login(session, authorize_url, user, password, consent="approve"):
    """Drive the HTML login/consent page like a browser; returns the final response (302 expected)."""
    r = session.get(authorize_url, allow_redirects=False, timeout=30)
    if r.status_code != 200:
        return r, None
    form = parse_form(r.text)
    data = dict(form.inputs)
    data.update({"username": user, "password": password, "consent": consent})
    target = urllib.parse.urljoin(authorize_url, form.action)
    return session.post(target, data=data, allow_redirects=False, timeout=30), form
