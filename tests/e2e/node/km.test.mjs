// openid-client 6 and jose against the key manager: discovery, client_credentials, introspection, revocation,
// and an ID token verified through the JWKS. Started by tests/e2e/test_km_node.py, which passes the server and
// a registered client in the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as jose from 'jose';

const base = process.env.GH_KM_BASE;
const clientId = process.env.GH_KM_CLIENT_ID;
const clientSecret = process.env.GH_KM_CLIENT_SECRET;

async function discover() {
  // the issuer is <base>/oauth2/token: openid-client fetches <issuer>/.well-known/openid-configuration and checks it
  return client.discovery(new URL(base + '/oauth2/token'), clientId, clientSecret,
    client.ClientSecretBasic(clientSecret), { execute: [client.allowInsecureRequests] });
}

test('discovery names the endpoints of this listener', async () => {
  const config = await discover();
  const md = config.serverMetadata();
  assert.equal(md.issuer, base + '/oauth2/token');
  assert.equal(md.token_endpoint, base + '/oauth2/token');
  assert.equal(md.introspection_endpoint, base + '/oauth2/introspect');
  assert.ok(md.code_challenge_methods_supported.includes('S256'));
});

test('client_credentials, introspection and revocation', async () => {
  const config = await discover();
  const tokens = await client.clientCredentialsGrant(config, { scope: 'node_scope' });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.access_token.length >= 32);
  assert.equal(tokens.scope, 'node_scope');
  let info = await client.tokenIntrospection(config, tokens.access_token);
  assert.equal(info.active, true);
  assert.equal(info.client_id, clientId);
  await client.tokenRevocation(config, tokens.access_token);
  info = await client.tokenIntrospection(config, tokens.access_token);
  assert.equal(info.active, false);
});

test('a wrong secret is invalid_client', async () => {
  const md = (await discover()).serverMetadata();
  const bad = new client.Configuration(md, clientId, 'wrong-secret', client.ClientSecretBasic('wrong-secret'));
  client.allowInsecureRequests(bad);
  let caught;
  await assert.rejects(client.clientCredentialsGrant(bad), (e) => { caught = e; return true; });
  // RFC 6749 §5.2: 401 with a WWW-Authenticate challenge and the invalid_client body
  assert.equal(caught.status, 401);
  const body = caught.error ? { error: caught.error } : await caught.response.json();
  assert.equal(body.error, 'invalid_client');
});

test('ID token from the password grant verifies with jose through the JWKS', async () => {
  const config = await discover();
  const tokens = await client.genericGrantRequest(config, 'password',
    { username: 'admin', password: 'admin', scope: 'openid' });
  assert.ok(tokens.id_token);
  const md = config.serverMetadata();
  const jwks = jose.createRemoteJWKSet(new URL(md.jwks_uri));
  const { payload, protectedHeader } = await jose.jwtVerify(tokens.id_token, jwks,
    { issuer: md.issuer, audience: clientId, algorithms: ['RS256'] });
  assert.equal(payload.sub, 'admin');
  assert.ok(protectedHeader.kid);
  const claims = tokens.claims();
  assert.equal(claims.sub, 'admin');
});
