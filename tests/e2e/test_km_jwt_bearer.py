"""Key manager: the urn:ietf:params:oauth:grant-type:jwt-bearer grant (RFC 7523) with an issuer trusted through
conf/security/trusted-issuers/: a good assertion gets a token for its sub; a replayed jti, a wrong audience, an
expired assertion, an untrusted signer and a non-RS256 assertion get invalid_grant. Assertions made with PyJWT."""
import datetime
import time
import unittest
import uuid

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

import ghtest
import km_flows

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ISS = "https://idp.example.test"


def key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


class KmJwtBearerTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        key, cert_pem = key_and_cert()
        grant_xml = ("<SupportedGrantType><GrantTypeName>%s</GrantTypeName><GrantTypeHandlerImplClass>"
                     "org.wso2.carbon.identity.oauth2.grant.jwt.JWTBearerGrantHandler</GrantTypeHandlerImplClass>"
                     "</SupportedGrantType></SupportedGrantTypes>" % GRANT)
        km = km_flows.KmServer(kind, base_url, dbname="gh_km_jwtb",
                               edits=[("identity/identity.xml", r"</SupportedGrantTypes>", grant_xml)],
                               files=[("security/trusted-issuers/idp.json",
                                       '{"issuer": "%s", "certificate_file": "idp.pem"}' % ISS),
                                      ("security/trusted-issuers/idp.pem", cert_pem)])
        try:
            app = km.register("jwtb-app", [GRANT]).json()
            creds = (app["client_id"], app["client_secret"])
            aud = km.base + "/oauth2/token"

            def assertion(signer=key, **over):
                now = int(time.time())
                claims = {"iss": ISS, "sub": "admin", "aud": aud, "exp": now + 300, "iat": now,
                          "jti": str(uuid.uuid4())}
                claims.update(over)
                return jwt.encode(claims, signer, algorithm="RS256")

            def post(a):
                return requests.post(aud, data={"grant_type": GRANT, "assertion": a, "scope": "apim:api_view"},
                                     auth=creds, timeout=30)

            good = assertion()
            r = post(good)
            self.assertEqual(r.status_code, 200, r.text)
            tok = r.json()
            self.assertEqual(tok["scope"], "apim:api_view")  # admin holds a bound role
            info = requests.post(km.base + "/oauth2/introspect", data={"token": tok["access_token"]},
                                 auth=km_flows.ADMIN).json()
            self.assertEqual((info["active"], info["sub"]), (True, "admin"))
            for a, why in ((good, "jti replay"), (assertion(aud="https://elsewhere/token"), "audience"),
                           (assertion(exp=int(time.time()) - 10), "expired"),
                           (assertion(signer=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
                            "untrusted signer"),
                           (assertion(iss="https://other.example"), "unknown issuer"),
                           (jwt.encode({"iss": ISS, "sub": "admin", "aud": aud, "exp": int(time.time()) + 60,
                                        "jti": "h"}, "k" * 32, algorithm="HS256"), "HS256"),
                           ("not.a-jwt", "garbage")):
                r = post(a)
                self.assertEqual((r.status_code, r.json().get("error")), (400, "invalid_grant"), why)
            r = requests.post(aud, data={"grant_type": GRANT}, auth=creds)
            self.assertEqual((r.status_code, r.json()["error"]), (400, "invalid_request"))
        finally:
            km.stop()



if __name__ == "__main__":
    ghtest.main()
