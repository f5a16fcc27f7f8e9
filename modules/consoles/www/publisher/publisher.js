// /publisher over the Publisher REST API v0.14 (/api/am/publisher/v0.14): APIs, their resources (kept in the
// Swagger apiDefinition as WSO2 does: x-auth-type, x-throttling-tier, x-scope), endpoints, tiers, visibility,
// lifecycle and subscriptions. What a user sees follows the scopes the key manager granted.

import { start, view } from './common/shell.js';
import { hasScope } from './common/auth.js';
import { ApiError, request, withQuery } from './common/api.js';
import { clearErrors, el, field, notify, showErrors, table, values } from './common/ui.js';

const BASE = '/api/am/publisher/v0.14';
const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const AUTH_TYPES = ['Application & Application User', 'Application', 'Application User', 'None'];
const VISIBILITY = [
    { value: 'PUBLIC', label: 'Public: everyone' },
    { value: 'RESTRICTED', label: 'Restricted by roles' },
    { value: 'PRIVATE', label: 'Private: this tenant only' },
];
// WSO2's default API lifecycle (APILifeCycle.xml): the actions each state allows
const LIFECYCLE = {
    CREATED: ['Publish', 'Deploy as a Prototype'],
    PROTOTYPED: ['Publish', 'Demote to Created'],
    PUBLISHED: ['Block', 'Deprecate', 'Demote to Created', 'Deploy as a Prototype'],
    BLOCKED: ['Re-Publish', 'Deprecate'],
    DEPRECATED: ['Retire'],
    RETIRED: [],
};
// REST field -> form control
const ALIASES = { endpointConfig: 'production', apiDefinition: 'swagger', transport: 'http', tiers: 'tier-Unlimited' };

let tierCache = null;
async function tiers(level) {
    tierCache = tierCache || {};
    if (!tierCache[level]) {
        try {
            const r = await request('GET', BASE + '/tiers/' + level);
            tierCache[level] = ((r && r.list) || []).map((t) => t.name);
        } catch (e) {
            tierCache[level] = ['Unlimited'];
        }
    }
    return tierCache[level];
}

// ---- Swagger <-> resource rows ---------------------------------------------------------------------------------

function rowsOf(swagger) {
    const rows = [];
    const paths = (swagger && swagger.paths) || {};
    for (const [uri, ops] of Object.entries(paths)) {
        for (const [verb, op] of Object.entries(ops || {})) {
            if (!VERBS.includes(verb.toUpperCase())) continue;
            rows.push({ verb: verb.toUpperCase(), uri, auth: op['x-auth-type'] || AUTH_TYPES[0],
                tier: op['x-throttling-tier'] || 'Unlimited', scope: op['x-scope'] || '' });
        }
    }
    return rows;
}

function swaggerOf(base, api, rows) {
    const s = base && typeof base === 'object' ? JSON.parse(JSON.stringify(base)) : {};
    s.swagger = s.swagger || '2.0';
    s.info = Object.assign({}, s.info, { title: api.name, version: api.version });
    s.paths = {};
    const scopes = new Map();
    for (const r of rows) {
        s.paths[r.uri] = s.paths[r.uri] || {};
        const op = (base && base.paths && base.paths[r.uri] && base.paths[r.uri][r.verb.toLowerCase()]) || {};
        s.paths[r.uri][r.verb.toLowerCase()] = Object.assign({}, op, {
            'x-auth-type': r.auth,
            'x-throttling-tier': r.tier,
            responses: op.responses || { 200: { description: 'OK' } },
        });
        if (r.scope) {
            s.paths[r.uri][r.verb.toLowerCase()]['x-scope'] = r.scope;
            scopes.set(r.scope, { name: r.scope, key: r.scope, description: '', roles: '' });
        } else {
            delete s.paths[r.uri][r.verb.toLowerCase()]['x-scope'];
        }
    }
    const known = (((s['x-wso2-security'] || {}).apim || {})['x-wso2-scopes']) || [];
    for (const k of known) if (scopes.has(k.key)) scopes.set(k.key, k);
    s['x-wso2-security'] = { apim: { 'x-wso2-scopes': [...scopes.values()] } };
    return s;
}

function resourceEditor(rows, resourceTiers) {
    const body = el('tbody');
    const wrap = el('fieldset', { class: 'resources' }, el('legend', {}, 'Resources'),
        el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {},
            ['Verb', 'URI template', 'Auth type', 'Throttling tier', 'Scope', ''].map((h) => el('th', { scope: 'col' }, h)))), body)),
        el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', onclick: () => add({ verb: 'GET', uri: '/*', auth: AUTH_TYPES[0], tier: 'Unlimited', scope: '' }) }, 'Add resource')));
    let n = 0;
    function add(r) {
        n += 1;
        const i = n;
        const sel = (name, label, opts, v) => el('select', { name: name + '-' + i, 'aria-label': label + ' of resource ' + i },
            opts.map((o) => el('option', { value: o, selected: o === v }, o)));
        const tr = el('tr', { class: 'resource' },
            el('td', {}, sel('verb', 'Verb', VERBS, r.verb)),
            el('td', {}, el('input', { type: 'text', name: 'uri-' + i, value: r.uri, 'aria-label': 'URI template of resource ' + i })),
            el('td', {}, sel('auth', 'Auth type', AUTH_TYPES, r.auth)),
            el('td', {}, sel('tier', 'Throttling tier', resourceTiers.includes(r.tier) ? resourceTiers : resourceTiers.concat([r.tier]), r.tier)),
            el('td', {}, el('input', { type: 'text', name: 'scope-' + i, value: r.scope, 'aria-label': 'Scope of resource ' + i })),
            el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => tr.remove() }, 'Remove')));
        body.append(tr);
    }
    rows.forEach(add);
    wrap.read = () => [...body.querySelectorAll('tr.resource')].map((tr) => {
        const get = (p) => tr.querySelector('[name^="' + p + '-"]').value;
        return { verb: get('verb'), uri: get('uri').trim(), auth: get('auth'), tier: get('tier'), scope: get('scope').trim() };
    }).filter((r) => r.uri);
    wrap.replace = (list) => {
        body.replaceChildren();
        list.forEach(add);
    };
    return wrap;
}

function endpointUrls(api) {
    try {
        const c = JSON.parse(api.endpointConfig || '{}');
        const url = (e) => (Array.isArray(e) ? (e[0] || {}).url : (e || {}).url) || '';
        return { production: url(c.production_endpoints), sandbox: url(c.sandbox_endpoints) };
    } catch (e) {
        return { production: '', sandbox: '' };
    }
}

function endpointConfig(v) {
    const c = { endpoint_type: 'http' };
    if (v.production) c.production_endpoints = { url: v.production.trim() };
    if (v.sandbox) c.sandbox_endpoints = { url: v.sandbox.trim() };
    return JSON.stringify(c);
}

// ---- the API form (create and edit) ----------------------------------------------------------------------------

async function apiForm(api, onSaved) {
    const creating = !api.id;
    const [apiTiers, resourceTiers] = await Promise.all([tiers('api'), tiers('resource')]);
    let swagger = null;
    try {
        swagger = api.apiDefinition ? JSON.parse(api.apiDefinition) : null;
    } catch (e) {
        swagger = null;
    }
    const eps = endpointUrls(api);
    const chosenTiers = new Set(api.tiers || ['Unlimited']);
    const resources = resourceEditor(swagger ? rowsOf(swagger) : [
        { verb: 'GET', uri: '/*', auth: AUTH_TYPES[0], tier: 'Unlimited', scope: '' },
        { verb: 'POST', uri: '/*', auth: AUTH_TYPES[0], tier: 'Unlimited', scope: '' },
    ], resourceTiers);
    const form = el('form', { class: 'card', id: creating ? 'create-api-form' : 'edit-api-form', novalidate: true },
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Name', name: 'name', required: true, value: api.name, readonly: !creating })),
            el('div', {}, field({ label: 'Context', name: 'context', required: true, value: api.context, readonly: !creating,
                hint: 'The path the gateway serves it on, e.g. /contextName' })),
            el('div', {}, field({ label: 'Version', name: 'version', required: true, value: api.version, readonly: !creating }))),
        field({ label: 'Description', name: 'description', type: 'textarea', rows: 3, value: api.description || '' }),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Production endpoint', name: 'production', type: 'url', value: eps.production,
                hint: 'The backend URL, e.g. http://localhost:8080/' })),
            el('div', {}, field({ label: 'Sandbox endpoint', name: 'sandbox', type: 'url', value: eps.sandbox }))),
        el('fieldset', {}, el('legend', {}, 'Subscription tiers'),
            apiTiers.map((t) => el('label', { class: 'inline', for: 'tier-' + t },
                el('input', { type: 'checkbox', id: 'tier-' + t, name: 'tier-' + t, dataset: { tier: t }, checked: chosenTiers.has(t) }), t)),
            el('p', { id: 'tier-Unlimited-err', class: 'field-error', hidden: true })),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Visibility', name: 'visibility', type: 'select', options: VISIBILITY, value: api.visibility || 'PUBLIC' })),
            el('div', {}, field({ label: 'Visible to roles', name: 'visibleRoles', value: (api.visibleRoles || []).join(', '),
                hint: 'For restricted visibility: role names separated by commas' })),
            el('div', {}, field({ label: 'Tags', name: 'tags', value: (api.tags || []).join(', ') }))),
        el('fieldset', {}, el('legend', {}, 'Transports'),
            ['http', 'https'].map((t) => el('label', { class: 'inline', for: 'transport-' + t },
                el('input', { type: 'checkbox', id: 'transport-' + t, name: t, checked: (api.transport || ['http', 'https']).includes(t) }), t.toUpperCase()))),
        resources,
        el('div', { class: 'actions' }, el('button', { type: 'submit', id: creating ? 'create-api' : 'save-api' }, creating ? 'Create API' : 'Save API')));

    if (creating) {
        // a Swagger / OpenAPI file (JSON) fills the form
        const fileInput = el('input', { type: 'file', id: 'swagger-file', accept: '.json,application/json' });
        const pasted = field({ label: 'Or paste it here', name: 'swagger', type: 'textarea', rows: 6 });
        const load = (text) => {
            clearErrors(importer);
            try {
                swagger = JSON.parse(text);
            } catch (e) {
                showErrors(importer, new ApiError(400, '', { swagger: 'This is not JSON: ' + e.message + '. Save YAML definitions as JSON first.' }));
                return;
            }
            const f = form.elements;
            if (swagger.info) {
                if (swagger.info.title) f.name.value = swagger.info.title.replace(/\s+/g, '');
                if (swagger.info.version) f.version.value = swagger.info.version;
            }
            if (swagger.basePath) f.context.value = swagger.basePath.replace(/\/\{?version\}?$/, '');
            const server = swagger.servers && swagger.servers[0] && swagger.servers[0].url;
            if (swagger.host || server) f.production.value = server || ((swagger.schemes || ['http'])[0] + '://' + swagger.host + (swagger.basePath || '/'));
            resources.replace(rowsOf(swagger));
            notify('Definition loaded: ' + rowsOf(swagger).length + ' resources.');
        };
        fileInput.addEventListener('change', async () => {
            if (fileInput.files[0]) load(await fileInput.files[0].text());
        });
        const importer = el('section', { class: 'card', id: 'import-swagger' }, el('h3', {}, 'Start from a Swagger or OpenAPI definition (JSON)'),
            el('label', { for: 'swagger-file' }, 'Upload a file'), fileInput, pasted,
            el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', onclick: () => load(pasted.control.value) }, 'Use pasted definition')));
        form.importer = importer;
    }

    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const v = values(form);
        const body = Object.assign({}, api, {
            name: v.name.trim(),
            context: v.context.trim(),
            version: v.version.trim(),
            description: v.description,
            endpointConfig: endpointConfig(v),
            tiers: [...form.querySelectorAll('input[data-tier]')].filter((c) => c.checked).map((c) => c.dataset.tier),
            visibility: v.visibility,
            visibleRoles: v.visibleRoles.split(',').map((s) => s.trim()).filter(Boolean),
            tags: v.tags.split(',').map((s) => s.trim()).filter(Boolean),
            transport: ['http', 'https'].filter((t) => v[t]),
            isDefaultVersion: !!api.isDefaultVersion,
            type: api.type || 'HTTP',
        });
        body.apiDefinition = JSON.stringify(swaggerOf(swagger, body, resources.read()));
        if (!body.tiers.length) {
            showErrors(form, new ApiError(400, '', { tiers: 'Choose at least one tier.' }), ALIASES);
            return;
        }
        try {
            const saved = creating ? await request('POST', BASE + '/apis', body)
                : await request('PUT', BASE + '/apis/' + encodeURIComponent(api.id), body);
            notify(creating ? 'API ' + saved.name + ' created.' : 'API saved.');
            onSaved(saved);
        } catch (err) {
            showErrors(form, err, ALIASES);
        }
    });
    return form;
}

// ---- views -----------------------------------------------------------------------------------------------------

async function listView(main) {
    const results = el('div', { id: 'api-results' });
    const q = field({ label: 'Search APIs', name: 'q', type: 'search', hint: 'A name, or name:x, context:/x, status:PUBLISHED' });
    let seq = 0;
    async function load() {
        const mine = ++seq;
        results.setAttribute('aria-busy', 'true');
        try {
            const r = await request('GET', withQuery(BASE + '/apis', { query: q.control.value.trim(), limit: 100 }));
            if (mine !== seq) return; // a later search answered first
            results.removeAttribute('aria-busy');
            const list = (r && r.list) || [];
            results.replaceChildren(list.length === 0 ? el('p', {}, 'No API yet.') : table(['Name', 'Version', 'Context', 'Status', ''],
                list.map((a) => [a.name, a.version, a.context, el('span', { class: 'badge' }, a.status),
                    el('button', { type: 'button', class: 'link', onclick: () => apiView(main, a.id) }, 'Open ' + a.name + ' ' + a.version)]),
                { optional: [2] }));
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

async function createView(main) {
    const form = await apiForm({}, (saved) => apiView(main, saved.id));
    view(main, 'Create an API', form.importer, form);
}

// the history's updatedTime is epoch milliseconds (a date-time string from other servers is shown as it is)
function when(t) {
    return typeof t === 'number' && t > 0 ? new Date(t).toLocaleString() : (t || '');
}

async function lifecycleCard(main, api) {
    const actions = hasScope('apim:api_publish') ? (LIFECYCLE[api.status] || []) : [];
    const history = el('div', { id: 'lifecycle-history' }, el('p', { class: 'hint' }, 'Loading the history…'));
    const card = el('section', { class: 'card', id: 'lifecycle' }, el('h3', {}, 'Lifecycle'),
        el('p', {}, 'State: ', el('span', { class: 'badge', id: 'api-status' }, api.status)),
        actions.length ? el('div', { class: 'actions' }, actions.map((a) => el('button', {
            type: 'button', class: a === 'Block' || a === 'Retire' ? 'danger' : '', dataset: { action: a },
            onclick: async () => {
                try {
                    await request('POST', withQuery(BASE + '/apis/change-lifecycle', { apiId: api.id, action: a }));
                    notify('Lifecycle: ' + a + ' done.');
                    await apiView(main, api.id);
                } catch (err) {
                    notify(err.message, true);
                }
            },
        }, a))) : el('p', { class: 'hint' }, hasScope('apim:api_publish') ? 'No lifecycle action from this state.' : 'Changing the lifecycle needs the publisher role.'),
        el('h3', {}, 'History'), history);
    request('GET', BASE + '/apis/' + encodeURIComponent(api.id) + '/lifecycle-history').then((r) => {
        const list = (r && r.list) || [];
        history.replaceChildren(list.length === 0 ? el('p', {}, 'No change yet.') : table(['When', 'From', 'To', 'By'],
            list.map((h) => [when(h.updatedTime), h.previousState || '', h.postState || '', h.user || ''])));
    }).catch((e) => {
        history.replaceChildren(el('p', { class: 'hint' }, e.status === 404 ? 'This server keeps no lifecycle history.' : e.message));
    });
    return card;
}

async function subscriptionsCard(api) {
    const card = el('section', { class: 'card', id: 'subscriptions' }, el('h3', {}, 'Subscriptions'));
    let r;
    try {
        r = await request('GET', withQuery(BASE + '/subscriptions', { apiId: api.id, limit: 200 }));
    } catch (e) {
        card.append(el('p', { class: 'form-error' }, e.message));
        return card;
    }
    const list = (r && r.list) || [];
    const canBlock = hasScope('apim:subscription_block');
    const act = async (s, path, state) => {
        try {
            await request('POST', withQuery(BASE + '/subscriptions/' + path, { subscriptionId: s.subscriptionId, blockState: state }));
            notify('Subscription ' + (state ? 'blocked' : 'unblocked') + '.');
            card.replaceWith(await subscriptionsCard(api));
        } catch (err) {
            notify(err.message, true);
        }
    };
    card.append(list.length === 0 ? el('p', {}, 'No subscription yet.') : table(['Application', 'Tier', 'Status', ''],
        list.map((s) => [s.applicationId, s.tier, el('span', { class: 'badge' + (s.status === 'UNBLOCKED' ? ' ok' : ' bad') }, s.status),
            canBlock ? el('div', { class: 'actions' },
                s.status === 'UNBLOCKED' ? [
                    el('button', { type: 'button', class: 'danger', onclick: () => act(s, 'block-subscription', 'BLOCKED') }, 'Block'),
                    el('button', { type: 'button', class: 'secondary', onclick: () => act(s, 'block-subscription', 'PROD_ONLY_BLOCKED') }, 'Block production only'),
                ] : el('button', { type: 'button', onclick: () => act(s, 'unblock-subscription') }, 'Unblock')) : '']),
        { optional: [1] }));
    return card;
}

async function apiView(main, id) {
    let api;
    try {
        api = await request('GET', BASE + '/apis/' + encodeURIComponent(id));
    } catch (e) {
        main.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        return;
    }
    const parts = [el('button', { type: 'button', class: 'link', onclick: () => { main.replaceChildren(); listView(main); } }, 'All APIs'),
        el('h2', { id: 'api-title' }, api.name + ' ' + api.version), el('p', { class: 'hint' }, api.context + ' · provider ' + (api.provider || ''))];
    parts.push(await lifecycleCard(main, api));
    if (hasScope('apim:api_create')) parts.push(el('h3', {}, 'Design'), await apiForm(api, () => apiView(main, id)));
    if (hasScope('apim:subscription_view') || hasScope('apim:subscription_block')) parts.push(await subscriptionsCard(api));
    main.replaceChildren(...parts);
}

start({
    title: 'Publisher',
    denied: () => (hasScope('apim:api_view') || hasScope('apim:api_create') || hasScope('apim:api_publish')) ? null
        : 'Your account has no Publisher role: you may neither create nor publish APIs here.',
    sections: [
        { id: 'apis', label: 'APIs', visible: () => hasScope('apim:api_view') || hasScope('apim:api_publish'), render: listView },
        { id: 'create', label: 'Create API', visible: () => hasScope('apim:api_create'), render: createView },
    ],
});
