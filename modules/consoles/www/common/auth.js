// Sign-in through the key manager: the authorization-code flow with PKCE (S256) for this console's public client.
// Tokens live in this module's variables only: a reload or a new tab signs in again. The PKCE verifier and the
// state survive the round trip to /oauth2/authorize in sessionStorage and are deleted on return.

const PENDING = 'gatehouse.signin';
let config = null;
let session = null; // { accessToken, refreshToken, scopes: Set, user, expiresAt }
let refreshTimer = 0;
const listeners = [];

function b64url(bytes) {
    let s = '';
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(n) {
    const a = new Uint8Array(n);
    crypto.getRandomValues(a);
    return b64url(a);
}

function decodeJwtPayload(jwt) {
    try {
        const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        const text = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
        return JSON.parse(text);
    } catch (e) {
        return null;
    }
}

/** The console's config.json: { console, path, clientId, scope, gateway: { host, httpsPort, httpPort } }. */
export async function loadConfig() {
    const r = await fetch('config.json', { cache: 'no-store' });
    if (!r.ok) throw new Error('This console is not configured on the server (config.json: ' + r.status + ').');
    config = await r.json();
    return config;
}

export function getConfig() {
    return config;
}

/** The redirect URI registered for this console: this origin and the console's path with a trailing slash. */
export function redirectUri() {
    return location.origin + config.path + '/';
}

/** Leave for the key manager's sign-in page. */
export async function signIn() {
    const verifier = randomString(32);
    const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const state = randomString(16);
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
    const q = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: redirectUri(),
        scope: config.scope,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
    });
    location.assign('/oauth2/authorize?' + q.toString());
}

async function tokenRequest(params) {
    const r = await fetch('/oauth2/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
        cache: 'no-store',
    });
    let body = null;
    try {
        body = await r.json();
    } catch (e) {
        body = {};
    }
    if (!r.ok) throw new Error(body.error_description || body.error || 'the key manager answered ' + r.status);
    return body;
}

function adopt(t) {
    const claims = t.id_token ? decodeJwtPayload(t.id_token) : null;
    const previous = session;
    session = {
        accessToken: t.access_token,
        refreshToken: t.refresh_token || (previous && previous.refreshToken) || null,
        scopes: new Set((t.scope || '').split(' ').filter(Boolean)),
        user: (claims && claims.sub) || (previous && previous.user) || '',
        expiresAt: Date.now() + (t.expires_in || 3600) * 1000,
    };
    clearTimeout(refreshTimer);
    if (session.refreshToken && t.expires_in > 90) {
        refreshTimer = setTimeout(refresh, (t.expires_in - 60) * 1000);
    }
    listeners.forEach((fn) => fn(session));
}

async function refresh() {
    if (!session || !session.refreshToken) return;
    try {
        adopt(await tokenRequest({
            grant_type: 'refresh_token',
            refresh_token: session.refreshToken,
            client_id: config.clientId,
        }));
    } catch (e) {
        session = null;
        listeners.forEach((fn) => fn(null));
    }
}

/**
 * Finish a sign-in when the page was loaded with ?code=...&state=... (or ?error=...). Returns true when a session
 * was established, false when the URL carried no answer; throws with a readable message on a failed sign-in.
 */
export async function completeSignIn() {
    const p = new URLSearchParams(location.search);
    if (!p.has('code') && !p.has('error')) return false;
    history.replaceState(null, '', location.pathname);
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
    sessionStorage.removeItem(PENDING);
    if (p.has('error')) {
        const e = p.get('error');
        throw new Error(e === 'access_denied' ? 'Sign-in was cancelled.' : (p.get('error_description') || e));
    }
    if (!pending || pending.state !== p.get('state')) {
        throw new Error('This sign-in answer does not belong to a sign-in started here. Sign in again.');
    }
    adopt(await tokenRequest({
        grant_type: 'authorization_code',
        code: p.get('code'),
        redirect_uri: redirectUri(),
        client_id: config.clientId,
        code_verifier: pending.verifier,
    }));
    return true;
}

/** Revoke the tokens at the key manager (a public client revokes with its client_id) and forget them. */
export async function signOut() {
    const s = session;
    session = null;
    clearTimeout(refreshTimer);
    if (s) {
        try {
            await fetch('/oauth2/revoke', {
                method: 'POST',
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({ token: s.refreshToken || s.accessToken, client_id: config.clientId,
                    token_type_hint: s.refreshToken ? 'refresh_token' : 'access_token' }).toString(),
            });
        } catch (e) {
            // signed out locally anyway; the token expires on its own
        }
    }
    listeners.forEach((fn) => fn(null));
}

export function getSession() {
    return session;
}

export function accessToken() {
    return session ? session.accessToken : null;
}

/** Whether the signed-in user's token carries scope. */
export function hasScope(scope) {
    return !!session && session.scopes.has(scope);
}

export function onSessionChange(fn) {
    listeners.push(fn);
}
