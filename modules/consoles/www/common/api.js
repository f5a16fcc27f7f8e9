// Calls to the server's REST APIs with the signed-in user's token, and their errors made readable: the v0.14
// REST error ({code, message, description, error: [{code, message}]}), SCIM's ({detail, scimType}) and OAuth's
// ({error, error_description}) all become an ApiError with a message and, where the server names one, the field.

import { accessToken } from './auth.js';

export class ApiError extends Error {
    constructor(status, message, fields, body) {
        super(message);
        this.status = status;
        this.fields = fields; // { fieldName: message }
        this.body = body;
    }
}

// "name: must not be empty" or an error list item whose code is a field name
function fieldErrors(body) {
    const out = {};
    const items = Array.isArray(body && body.error) ? body.error : [];
    for (const it of items) {
        const msg = String(it.message || '');
        const m = /^([A-Za-z][A-Za-z0-9_.\[\]]*)\s*:\s*(.+)$/.exec(msg);
        if (m) out[m[1]] = m[2];
        else if (typeof it.code === 'string' && /^[A-Za-z][A-Za-z0-9_.]*$/.test(it.code)) out[it.code] = msg;
    }
    return out;
}

function messageOf(status, body) {
    if (body && typeof body === 'object') {
        if (body.detail) return body.detail;                     // SCIM
        if (body.error_description) return body.error_description; // OAuth
        if (body.description) return body.description;           // v0.14 REST
        if (body.fault && body.fault.description) return body.fault.description; // WSO2 fault
        if (body.message) return body.message;
        if (typeof body.error === 'string') return body.error;
    }
    if (status === 401) return 'Your session has ended: sign in again.';
    if (status === 403) return 'You are not allowed to do this.';
    return 'The server answered ' + status + '.';
}

/**
 * request('GET', '/scim2/Users', undefined, {type: 'application/scim+json'}) -> parsed JSON (or null for 204).
 * body: an object (sent as JSON), a string, FormData or URLSearchParams.
 */
export async function request(method, url, body, opts = {}) {
    const headers = { Accept: 'application/json' };
    const token = opts.token !== undefined ? opts.token : accessToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    if (opts.headers) Object.assign(headers, opts.headers);
    let payload = body;
    if (body !== undefined && body !== null && typeof body === 'object' && !(body instanceof FormData) &&
        !(body instanceof URLSearchParams)) {
        payload = JSON.stringify(body);
        headers['Content-Type'] = opts.type || 'application/json';
    } else if (typeof body === 'string') {
        headers['Content-Type'] = opts.type || 'application/json';
    }
    let r;
    try {
        r = await fetch(url, { method, headers, body: payload, cache: 'no-store' });
    } catch (e) {
        throw new ApiError(0, 'The server cannot be reached (' + e.message + ').', {}, null);
    }
    const text = r.status === 204 ? '' : await r.text();
    let json = null;
    if (text) {
        try {
            json = JSON.parse(text);
        } catch (e) {
            json = opts.raw ? text : null;
        }
    }
    if (!r.ok) throw new ApiError(r.status, messageOf(r.status, json), fieldErrors(json), json);
    return json;
}

/** A URL with query parameters (undefined and '' left out). */
export function withQuery(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    return s ? path + '?' + s : path;
}
