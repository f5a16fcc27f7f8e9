// /store (and /devportal) over the Store REST API v0.14 (/api/am/store/v0.14): published APIs and their
// resources, applications, subscriptions, PRODUCTION and SANDBOX keys, a test token, and a "try it" pane that
// calls the API through the gateway (its address comes from config.json) and shows what the backend answered,
// including a decoded X-JWT-Assertion.

import { start, view } from './common/shell.js';
import { getConfig, hasScope } from './common/auth.js';
import { ApiError, request, withQuery } from './common/api.js';
import { clearErrors, copyButton, el, field, notify, showErrors, table, values } from './common/ui.js';

const BASE = '/api/am/store/v0.14';
const KEY_TYPES = ['PRODUCTION', 'SANDBOX'];
const GRANTS = ['client_credentials', 'password', 'refresh_token'];
// secrets and tokens of this page's life only (never stored): applicationId -> keyType -> {consumerKey, consumerSecret, accessToken}
const keyring = new Map();

function keysOf(appId) {
    if (!keyring.has(appId)) keyring.set(appId, {});
    return keyring.get(appId);
}

function contextPath(api) {
    const c = (api.context || '').replace(/\/+$/, '');
    return c.endsWith('/' + api.version) ? c : c + '/' + api.version;
}

function resourcesOf(api) {
    try {
        const s = JSON.parse(api.apiDefinition || '{}');
        const out = [];
        for (const [uri, ops] of Object.entries(s.paths || {})) {
            for (const [verb, op] of Object.entries(ops || {})) {
                if (!/^(get|post|put|patch|delete|head|options)$/i.test(verb)) continue;
                out.push({ verb: verb.toUpperCase(), uri, auth: op['x-auth-type'] || '', tier: op['x-throttling-tier'] || '',
                    scope: op['x-scope'] || '' });
            }
        }
        return out;
    } catch (e) {
        return [];
    }
}

async function applications() {
    const r = await request('GET', withQuery(BASE + '/applications', { limit: 100 }));
    return (r && r.list) || [];
}

// ---- APIs --------------------------------------------------------------------------------------------------------

async function apisView(main) {
    const results = el('div', { id: 'api-results' });
    const q = field({ label: 'Search APIs', name: 'q', type: 'search', hint: 'A name, or tag:x, context:/x' });
    let seq = 0;
    async function load() {
        const mine = ++seq;
        results.setAttribute('aria-busy', 'true');
        try {
            const r = await request('GET', withQuery(BASE + '/apis', { query: q.control.value.trim(), limit: 100 }));
            if (mine !== seq) return; // a later search answered first
            results.removeAttribute('aria-busy');
            const list = (r && r.list) || [];
            results.replaceChildren(list.length === 0 ? el('p', {}, 'No API is published yet.') : table(['Name', 'Version', 'Context', 'Provider', ''],
                list.map((a) => [a.name, a.version, a.context, a.provider || '',
                    el('button', { type: 'button', class: 'link', onclick: () => apiDetail(main, a.id) }, 'Open ' + a.name + ' ' + a.version)]),
                { optional: [2, 3] }));
        } catch (e) {
            if (mine !== seq) return;
            results.removeAttribute('aria-busy');
            results.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        }
    }
    view(main, 'APIs', el('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
        q, el('button', { type: 'submit' }, 'Search')), results);
    await load();
}

async function apiDetail(main, id) {
    let api;
    try {
        api = await request('GET', BASE + '/apis/' + encodeURIComponent(id));
    } catch (e) {
        main.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        return;
    }
    const res = resourcesOf(api);
    const parts = [el('button', { type: 'button', class: 'link', onclick: () => { main.replaceChildren(); apisView(main); } }, 'All APIs'),
        el('h2', { id: 'api-title' }, api.name + ' ' + api.version),
        el('p', {}, api.description || ''), el('p', { class: 'hint' }, 'Context ' + contextPath(api) + ' · provider ' + (api.provider || '')),
        el('section', { class: 'card' }, el('h3', {}, 'Resources'), res.length ? table(['Verb', 'URI template', 'Auth type', 'Tier', 'Scope'],
            res.map((r) => [r.verb, r.uri, r.auth, r.tier, r.scope]), { optional: [2, 3, 4] }) : el('p', {}, 'No resource is described.'))];
    if (hasScope('apim:subscribe')) {
        const apps = await applications().catch(() => []);
        const form = el('form', { class: 'card', id: 'subscribe-form' }, el('h3', {}, 'Subscribe'),
            apps.length === 0 ? el('p', {}, 'Create an application first (Applications).') : [
                field({ label: 'Application', name: 'applicationId', type: 'select', options: apps.map((a) => ({ value: a.applicationId, label: a.name })) }),
                field({ label: 'Tier', name: 'tier', type: 'select', options: api.tiers && api.tiers.length ? api.tiers : ['Unlimited'] }),
                el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'subscribe' }, 'Subscribe'))]);
        form.addEventListener('submit', async (e) => {
            e.preventDefault();
            clearErrors(form);
            const v = values(form);
            try {
                await request('POST', BASE + '/subscriptions', { applicationId: v.applicationId, apiIdentifier: api.id, tier: v.tier });
                notify('Subscribed.');
                form.append(el('p', { role: 'status', id: 'subscribed' }, 'Subscribed with tier ' + v.tier + '.'));
            } catch (err) {
                showErrors(form, err, { apiIdentifier: 'applicationId' });
            }
        });
        parts.push(form);
    }
    main.replaceChildren(...parts);
}

// ---- applications ------------------------------------------------------------------------------------------------

async function appsView(main) {
    const results = el('div', { id: 'app-results' });
    let appTiers = ['Unlimited'];
    try {
        const r = await request('GET', BASE + '/tiers/application');
        appTiers = ((r && r.list) || []).map((t) => t.name);
    } catch (e) {
        // the default tier still works
    }
    const form = appForm({}, appTiers, async (app) => {
        notify('Application ' + app.name + ' created.');
        await appDetail(main, app.applicationId);
    });
    async function load() {
        try {
            const list = await applications();
            results.replaceChildren(list.length === 0 ? el('p', {}, 'No application yet.') : table(['Name', 'Tier', 'Status', ''],
                list.map((a) => [a.name, a.throttlingTier, a.status || '',
                    el('button', { type: 'button', class: 'link', onclick: () => appDetail(main, a.applicationId) }, 'Open ' + a.name)]),
                { optional: [2] }));
        } catch (e) {
            results.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        }
    }
    view(main, 'Applications', results, el('h3', {}, 'Create an application'), form);
    await load();
}

function appForm(app, appTiers, onSaved) {
    const creating = !app.applicationId;
    const form = el('form', { class: 'card', id: creating ? 'create-app-form' : 'edit-app-form', novalidate: true },
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Application name', name: 'name', required: true, value: app.name })),
            el('div', {}, field({ label: 'Per-token quota', name: 'throttlingTier', type: 'select', options: appTiers, value: app.throttlingTier || appTiers[0] })),
            el('div', {}, field({ label: 'Token type', name: 'tokenType', type: 'select', options: ['OAUTH', 'JWT'], value: app.tokenType || 'OAUTH' }))),
        field({ label: 'Description', name: 'description', type: 'textarea', rows: 2, value: app.description || '' }),
        el('div', { class: 'actions' }, el('button', { type: 'submit', id: creating ? 'create-app' : 'save-app' }, creating ? 'Create application' : 'Save application')));
    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const v = values(form);
        const body = Object.assign({}, app, { name: v.name.trim(), throttlingTier: v.throttlingTier, tokenType: v.tokenType, description: v.description });
        delete body.keys;
        try {
            const saved = creating ? await request('POST', BASE + '/applications', body)
                : await request('PUT', BASE + '/applications/' + encodeURIComponent(app.applicationId), body);
            onSaved(saved);
        } catch (err) {
            showErrors(form, err);
        }
    });
    return form;
}

function secretBlock(label, value, id) {
    return el('div', { class: 'secret-row' }, el('p', {}, el('strong', {}, label + ': '), el('span', { class: 'secret', id }, value), ' ', copyButton(value, 'Copy ' + label)));
}

function keyCard(app, keyType, existing) {
    const held = keysOf(app.applicationId)[keyType] || {};
    const card = el('section', { class: 'card', id: 'keys-' + keyType.toLowerCase() }, el('h3', {}, keyType === 'PRODUCTION' ? 'Production keys' : 'Sandbox keys'));
    const out = el('div', { class: 'key-output' });
    const consumerKey = held.consumerKey || (existing && existing.consumerKey);
    if (consumerKey) out.append(el('p', {}, el('strong', {}, 'Consumer key: '), el('span', { class: 'secret', id: 'consumer-key-' + keyType.toLowerCase() }, consumerKey), ' ', copyButton(consumerKey, 'Copy consumer key')));
    const show = (k) => {
        const ring = keysOf(app.applicationId);
        ring[keyType] = Object.assign({}, ring[keyType], { consumerKey: k.consumerKey, consumerSecret: k.consumerSecret || (ring[keyType] || {}).consumerSecret });
        if (k.token && k.token.accessToken) ring[keyType].accessToken = k.token.accessToken;
        out.replaceChildren(
            secretBlock('Consumer key', k.consumerKey, 'consumer-key-' + keyType.toLowerCase()),
            k.consumerSecret ? secretBlock('Consumer secret', k.consumerSecret, 'consumer-secret-' + keyType.toLowerCase()) : null,
            k.consumerSecret ? el('p', { class: 'hint', role: 'note' }, 'The secret is shown only now: copy it somewhere safe.') : null,
            ring[keyType].accessToken ? secretBlock('Access token', ring[keyType].accessToken, 'access-token-' + keyType.toLowerCase()) : null);
    };
    const generate = el('button', { type: 'button', id: 'generate-' + keyType.toLowerCase(), onclick: async () => {
        try {
            const k = await request('POST', withQuery(BASE + '/applications/generate-keys', { applicationId: app.applicationId }), {
                keyType, validityTime: '3600', accessAllowDomains: ['ALL'], supportedGrantTypes: GRANTS, scopes: ['default'],
            });
            show(k);
            notify(keyType + ' keys generated.');
        } catch (err) {
            notify(err.message, true);
        }
    } }, consumerKey ? 'Generate keys again' : 'Generate keys');
    const regenerate = el('button', { type: 'button', class: 'secondary', id: 'regenerate-' + keyType.toLowerCase(), onclick: async () => {
        const ck = (keysOf(app.applicationId)[keyType] || {}).consumerKey || (existing && existing.consumerKey);
        if (!ck) return notify('Generate the keys first.', true);
        try {
            const k = await request('POST', BASE + '/applications/regenerate-consumersecret', { consumerKey: ck });
            show(k);
            notify('New consumer secret: the old one no longer works.');
        } catch (err) {
            notify(err.message, true);
        }
    } }, 'Regenerate secret');
    const tokenBtn = el('button', { type: 'button', class: 'secondary', id: 'token-' + keyType.toLowerCase(), onclick: async () => {
        const k = keysOf(app.applicationId)[keyType] || {};
        if (!k.consumerKey || !k.consumerSecret) return notify('The consumer secret is needed: generate keys or regenerate the secret.', true);
        try {
            const r = await fetch('/oauth2/token', { method: 'POST', headers: {
                'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic ' + btoa(k.consumerKey + ':' + k.consumerSecret),
            }, body: 'grant_type=client_credentials', cache: 'no-store' });
            const t = await r.json();
            if (!r.ok) throw new Error(t.error_description || t.error || String(r.status));
            k.accessToken = t.access_token;
            show({ consumerKey: k.consumerKey, consumerSecret: null, token: { accessToken: t.access_token } });
            notify('Test token issued for ' + (t.expires_in || '?') + ' s.');
        } catch (err) {
            notify(err.message, true);
        }
    } }, 'Get test token');
    card.append(out, el('div', { class: 'actions' }, generate, regenerate, tokenBtn));
    return card;
}

async function appDetail(main, id) {
    let app;
    let subs;
    let appTiers = ['Unlimited'];
    try {
        [app, subs] = await Promise.all([request('GET', BASE + '/applications/' + encodeURIComponent(id)),
            request('GET', withQuery(BASE + '/subscriptions', { applicationId: id, limit: 200 }))]);
        const t = await request('GET', BASE + '/tiers/application').catch(() => null);
        if (t && t.list) appTiers = t.list.map((x) => x.name);
    } catch (e) {
        main.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        return;
    }
    const existing = {};
    for (const k of app.keys || []) existing[k.keyType] = k;
    const list = (subs && subs.list) || [];
    const del = el('button', { type: 'button', class: 'danger', id: 'delete-app', onclick: async () => {
        if (!window.confirm('Delete application ' + app.name + ' and its subscriptions and keys?')) return;
        try {
            await request('DELETE', BASE + '/applications/' + encodeURIComponent(id));
            notify('Application deleted.');
            main.replaceChildren();
            await appsView(main);
        } catch (err) {
            notify(err.message, true);
        }
    } }, 'Delete application');
    main.replaceChildren(
        el('button', { type: 'button', class: 'link', onclick: () => { main.replaceChildren(); appsView(main); } }, 'All applications'),
        el('h2', { id: 'app-title' }, 'Application ' + app.name),
        el('section', { class: 'card', id: 'app-subscriptions' }, el('h3', {}, 'Subscriptions'),
            list.length === 0 ? el('p', {}, 'No subscription yet: open an API to subscribe.') : table(['API', 'Tier', 'Status', ''],
                list.map((s) => [s.apiIdentifier, s.tier, el('span', { class: 'badge' + (s.status === 'UNBLOCKED' ? ' ok' : ' bad') }, s.status),
                    el('button', { type: 'button', class: 'link', onclick: async () => {
                        try {
                            await request('DELETE', BASE + '/subscriptions/' + encodeURIComponent(s.subscriptionId));
                            notify('Unsubscribed.');
                            await appDetail(main, id);
                        } catch (err) {
                            notify(err.message, true);
                        }
                    } }, 'Unsubscribe')]))),
        ...KEY_TYPES.map((t) => keyCard(app, t, existing[t])),
        el('h3', {}, 'Edit'), appForm(app, appTiers, async () => {
            notify('Application saved.');
            await appDetail(main, id);
        }),
        el('div', { class: 'actions' }, del));
}

// ---- try it ------------------------------------------------------------------------------------------------------

function decodeJwt(s) {
    try {
        const p = s.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(p), (c) => c.charCodeAt(0))));
    } catch (e) {
        return null;
    }
}

// the echo backend returns the decoded assertion; a raw X-JWT-Assertion header value is decoded here
function findAssertion(body) {
    let found = null;
    const walk = (v, depth) => {
        if (found || depth > 6 || !v || typeof v !== 'object') return;
        for (const [k, x] of Object.entries(v)) {
            if (/jwt/i.test(k)) {
                if (x && typeof x === 'object') { found = x; return; }
                if (typeof x === 'string' && x.split('.').length === 3) {
                    const d = decodeJwt(x);
                    if (d) { found = d; return; }
                }
            }
            walk(x, depth + 1);
        }
    };
    walk(body, 0);
    return found;
}

async function tryView(main) {
    const cfg = getConfig();
    const out = el('div', { id: 'try-output', 'aria-live': 'polite', tabindex: '-1' });
    const apps = await applications().catch(() => []);
    if (apps.length === 0) {
        view(main, 'Try it', el('p', {}, 'Create an application, subscribe it to an API and generate keys first.'));
        return;
    }
    const appSel = field({ label: 'Application', name: 'applicationId', type: 'select', options: apps.map((a) => ({ value: a.applicationId, label: a.name })) });
    const apiSel = field({ label: 'API', name: 'api', type: 'select', options: [] });
    const resSel = field({ label: 'Resource', name: 'resource', type: 'select', options: [] });
    const keySel = field({ label: 'Keys', name: 'keyType', type: 'select', options: KEY_TYPES });
    const gwSel = field({ label: 'Gateway', name: 'gateway', type: 'select', options: [
        { value: 'http://' + cfg.gateway.host + ':' + cfg.gateway.httpPort, label: 'HTTP ' + cfg.gateway.host + ':' + cfg.gateway.httpPort },
        { value: 'https://' + cfg.gateway.host + ':' + cfg.gateway.httpsPort, label: 'HTTPS ' + cfg.gateway.host + ':' + cfg.gateway.httpsPort }] });
    const tokenField = field({ label: 'Access token', name: 'token', hint: 'Filled in from the keys or test token of this session.' });
    const pathField = field({ label: 'Path', name: 'path', hint: 'Replace {parameters} with values; add a ?query if needed.' });
    const bodyField = field({ label: 'Request body', name: 'body', type: 'textarea', rows: 4 });
    let apis = [];

    const fillToken = () => {
        const k = keysOf(appSel.control.value)[keySel.control.value] || {};
        tokenField.control.value = k.accessToken || '';
    };
    const fillPath = () => {
        const api = apis[Number(apiSel.control.value)];
        const r = api ? resourcesOf(api)[Number(resSel.control.value)] : null;
        pathField.control.value = api ? contextPath(api) + (r ? r.uri.replace(/\/\*$/, '/') : '/') : '';
    };
    const loadApis = async () => {
        const subs = await request('GET', withQuery(BASE + '/subscriptions', { applicationId: appSel.control.value, limit: 200 })).catch(() => null);
        const ids = ((subs && subs.list) || []).map((s) => s.apiIdentifier);
        apis = (await Promise.all(ids.map((i) => request('GET', BASE + '/apis/' + encodeURIComponent(i)).catch(() => null)))).filter(Boolean);
        apiSel.control.replaceChildren(...apis.map((a, i) => el('option', { value: i }, a.name + ' ' + a.version)));
        loadResources();
        fillToken();
    };
    const loadResources = () => {
        const api = apis[Number(apiSel.control.value)];
        resSel.control.replaceChildren(...(api ? resourcesOf(api) : []).map((r, i) => el('option', { value: i }, r.verb + ' ' + r.uri)));
        fillPath();
    };
    appSel.control.addEventListener('change', loadApis);
    apiSel.control.addEventListener('change', loadResources);
    resSel.control.addEventListener('change', fillPath);
    keySel.control.addEventListener('change', fillToken);

    const form = el('form', { class: 'card', id: 'try-form' },
        el('div', { class: 'row' }, el('div', {}, appSel), el('div', {}, apiSel), el('div', {}, resSel)),
        el('div', { class: 'row' }, el('div', {}, keySel), el('div', {}, gwSel)),
        tokenField, pathField, bodyField,
        el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'send' }, 'Send')));
    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const api = apis[Number(apiSel.control.value)];
        const r = api ? resourcesOf(api)[Number(resSel.control.value)] : null;
        const method = r ? r.verb : 'GET';
        const url = gwSel.control.value + pathField.control.value;
        const headers = {};
        if (tokenField.control.value) headers.Authorization = 'Bearer ' + tokenField.control.value.trim();
        const hasBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) && bodyField.control.value;
        if (hasBody) headers['Content-Type'] = 'application/json';
        out.replaceChildren(el('p', {}, method + ' ' + url + ' …'));
        let resp;
        try {
            resp = await fetch(url, { method, headers, body: hasBody ? bodyField.control.value : undefined, cache: 'no-store', credentials: 'omit' });
        } catch (err) {
            out.replaceChildren(el('p', { class: 'form-error', role: 'alert' },
                'The gateway cannot be reached from this page (' + err.message + '). It must answer CORS for ' + location.origin + '.'));
            return;
        }
        const text = await resp.text();
        let json = null;
        try {
            json = JSON.parse(text);
        } catch (err) {
            json = null;
        }
        const assertion = json ? findAssertion(json) : null;
        out.replaceChildren(
            el('h3', {}, 'Response'),
            el('p', { id: 'try-status' }, resp.status + ' ' + resp.statusText),
            el('pre', { class: 'code', id: 'try-body' }, json ? JSON.stringify(json, null, 2) : text),
            assertion ? el('h3', {}, 'Decoded X-JWT-Assertion') : null,
            assertion ? el('pre', { class: 'code', id: 'try-jwt' }, JSON.stringify(assertion, null, 2)) : null);
        out.focus();
        out.scrollIntoView({ block: 'start' });
    });
    view(main, 'Try it', form, out);
    await loadApis();
}

start({
    title: 'DevPortal',
    sections: [
        { id: 'apis', label: 'APIs', render: apisView },
        { id: 'apps', label: 'Applications', visible: () => hasScope('apim:subscribe'), render: appsView },
        { id: 'try', label: 'Try it', visible: () => hasScope('apim:subscribe'), render: tryView },
    ],
});
