// /admin over the Admin REST API v0.14 (/api/am/admin/v0.14): subscription, application and resource (advanced)
// throttling policies, and blocking conditions (blocked applications, APIs, users and IP addresses).

import { start, view } from './common/shell.js';
import { hasScope } from './common/auth.js';
import { request } from './common/api.js';
import { clearErrors, el, field, notify, showErrors, table, values } from './common/ui.js';

const BASE = '/api/am/admin/v0.14';
const TIME_UNITS = ['min', 'hour', 'day', 'sec'];
const KINDS = {
    subscription: { title: 'Subscription policies', path: '/throttling/policies/subscription' },
    application: { title: 'Application policies', path: '/throttling/policies/application' },
    advanced: { title: 'Resource policies', path: '/throttling/policies/advanced' },
};
// REST fields -> form controls
const ALIASES = { 'defaultLimit.requestCount': 'requestCount', 'defaultLimit.unitTime': 'unitTime', 'defaultLimit.dataAmount': 'dataAmount' };

function limitText(l) {
    if (!l) return '';
    const amount = l.type === 'BandwidthLimit' ? l.dataAmount + ' ' + l.dataUnit : l.requestCount + ' requests';
    return amount + ' / ' + l.unitTime + ' ' + l.timeUnit;
}

function policyForm(kind, p, onSaved) {
    const creating = !p.policyId;
    const l = p.defaultLimit || { type: 'RequestCountLimit', requestCount: 1000, unitTime: 1, timeUnit: 'min' };
    const sub = kind === 'subscription';
    const form = el('form', { class: 'card', id: 'policy-form', novalidate: true },
        el('h3', {}, creating ? 'Add a policy' : 'Edit ' + p.policyName),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Policy name', name: 'policyName', required: true, value: p.policyName, readonly: !creating })),
            el('div', {}, field({ label: 'Display name', name: 'displayName', value: p.displayName || '' }))),
        field({ label: 'Description', name: 'description', value: p.description || '' }),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Limit type', name: 'type', type: 'select', value: l.type, options: [
                { value: 'RequestCountLimit', label: 'Request count' }, { value: 'BandwidthLimit', label: 'Bandwidth' }] })),
            el('div', {}, field({ label: 'Request count', name: 'requestCount', type: 'number', value: l.requestCount || '' })),
            el('div', {}, field({ label: 'Data amount', name: 'dataAmount', type: 'number', value: l.dataAmount || '' })),
            el('div', {}, field({ label: 'Data unit', name: 'dataUnit', type: 'select', options: ['KB', 'MB', 'GB'], value: l.dataUnit || 'KB' }))),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'Per', name: 'unitTime', type: 'number', value: l.unitTime || 1 })),
            el('div', {}, field({ label: 'Time unit', name: 'timeUnit', type: 'select', options: TIME_UNITS, value: l.timeUnit || 'min' }))),
        sub ? el('div', { class: 'row' },
            el('div', {}, field({ label: 'Burst limit (requests)', name: 'rateLimitCount', type: 'number', value: p.rateLimitCount || 0 })),
            el('div', {}, field({ label: 'Burst time unit', name: 'rateLimitTimeUnit', type: 'select', options: ['sec', 'min'], value: p.rateLimitTimeUnit || 'sec' })),
            el('div', {}, field({ label: 'Billing plan', name: 'billingPlan', type: 'select', options: ['FREE', 'COMMERCIAL'], value: p.billingPlan || 'FREE' }))) : null,
        sub ? field({ label: 'Stop on quota reach', name: 'stopOnQuotaReach', type: 'checkbox', value: p.stopOnQuotaReach !== false }) : null,
        el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'save-policy' }, creating ? 'Add policy' : 'Save policy')));
    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const v = values(form);
        const limit = v.type === 'BandwidthLimit'
            ? { type: 'BandwidthLimit', dataAmount: Number(v.dataAmount), dataUnit: v.dataUnit, unitTime: Number(v.unitTime), timeUnit: v.timeUnit }
            : { type: 'RequestCountLimit', requestCount: Number(v.requestCount), unitTime: Number(v.unitTime), timeUnit: v.timeUnit };
        const body = Object.assign({}, p, { policyName: v.policyName.trim(), displayName: v.displayName || v.policyName.trim(),
            description: v.description, defaultLimit: limit });
        if (sub) Object.assign(body, { rateLimitCount: Number(v.rateLimitCount), rateLimitTimeUnit: v.rateLimitTimeUnit,
            billingPlan: v.billingPlan, stopOnQuotaReach: v.stopOnQuotaReach });
        try {
            await request(creating ? 'POST' : 'PUT', BASE + KINDS[kind].path + (creating ? '' : '/' + encodeURIComponent(p.policyId)), body);
            notify('Policy ' + body.policyName + ' saved.');
            onSaved();
        } catch (err) {
            showErrors(form, err, ALIASES);
        }
    });
    return form;
}

function policiesView(kind) {
    return async function render(main) {
        const holder = el('div', { id: 'policy-editor' });
        const results = el('div', { id: 'policy-results' });
        async function load() {
            try {
                const r = await request('GET', BASE + KINDS[kind].path);
                const list = (r && r.list) || [];
                results.replaceChildren(list.length === 0 ? el('p', {}, 'No policy.') : table(['Name', 'Limit', 'Description', ''],
                    list.map((p) => [p.displayName || p.policyName, limitText(p.defaultLimit), p.description || '',
                        hasScope('apim:tier_manage') ? el('div', { class: 'actions' },
                            el('button', { type: 'button', class: 'link', onclick: async () => {
                                const full = await request('GET', BASE + KINDS[kind].path + '/' + encodeURIComponent(p.policyId)).catch(() => p);
                                holder.replaceChildren(policyForm(kind, full, () => { holder.replaceChildren(); load(); }));
                                holder.querySelector('input, select').focus();
                            } }, 'Edit ' + p.policyName),
                            el('button', { type: 'button', class: 'link', onclick: async () => {
                                if (!window.confirm('Delete policy ' + p.policyName + '?')) return;
                                try {
                                    await request('DELETE', BASE + KINDS[kind].path + '/' + encodeURIComponent(p.policyId));
                                    notify('Policy deleted.');
                                    load();
                                } catch (err) {
                                    notify(err.message, true);
                                }
                            } }, 'Delete ' + p.policyName)) : '']), { optional: [2] }));
            } catch (e) {
                results.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
            }
        }
        view(main, KINDS[kind].title, results,
            hasScope('apim:tier_manage') ? el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', id: 'add-policy',
                onclick: () => holder.replaceChildren(policyForm(kind, {}, () => { holder.replaceChildren(); load(); })) }, 'Add policy')) : null,
            holder);
        await load();
    };
}

async function blockedView(main) {
    const results = el('div', { id: 'blocked-results' });
    async function load() {
        try {
            const r = await request('GET', BASE + '/throttling/blacklist');
            const list = (r && r.list) || [];
            results.replaceChildren(list.length === 0 ? el('p', {}, 'Nothing is blocked.') : table(['Type', 'Value', ''],
                list.map((c) => [c.conditionType, c.conditionValue, hasScope('apim:bl_manage') ? el('button', { type: 'button', class: 'link',
                    onclick: async () => {
                        try {
                            await request('DELETE', BASE + '/throttling/blacklist/' + encodeURIComponent(c.conditionId));
                            notify('Unblocked.');
                            load();
                        } catch (err) {
                            notify(err.message, true);
                        }
                    } }, 'Unblock ' + c.conditionValue) : ''])));
        } catch (e) {
            results.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        }
    }
    const form = el('form', { class: 'card', id: 'block-form' }, el('h3', {}, 'Block'),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'What', name: 'conditionType', type: 'select', options: [
                { value: 'APPLICATION', label: 'Application (owner:name)' }, { value: 'API', label: 'API (context, e.g. /contextName/v1)' },
                { value: 'USER', label: 'User' }, { value: 'IP', label: 'IP address' }] })),
            el('div', {}, field({ label: 'Value', name: 'conditionValue', required: true }))),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Block')));
    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const v = values(form);
        try {
            await request('POST', BASE + '/throttling/blacklist', { conditionType: v.conditionType, conditionValue: v.conditionValue.trim() });
            notify('Blocked.');
            form.reset();
            load();
        } catch (err) {
            showErrors(form, err);
        }
    });
    view(main, 'Blocked applications, APIs, users and addresses',
        el('p', { class: 'hint' }, 'Single subscriptions are blocked from the Publisher, on the API\'s page.'),
        results, hasScope('apim:bl_manage') ? form : null);
    await load();
}

start({
    title: 'Admin',
    denied: () => (hasScope('apim:tier_view') || hasScope('apim:bl_view')) ? null
        : 'Your account has no administrator role for API Manager.',
    sections: [
        { id: 'subscription', label: 'Subscription policies', visible: () => hasScope('apim:tier_view'), render: policiesView('subscription') },
        { id: 'application', label: 'Application policies', visible: () => hasScope('apim:tier_view'), render: policiesView('application') },
        { id: 'advanced', label: 'Resource policies', visible: () => hasScope('apim:tier_view'), render: policiesView('advanced') },
        { id: 'blocked', label: 'Blocked', visible: () => hasScope('apim:bl_view'), render: blockedView },
    ],
});
