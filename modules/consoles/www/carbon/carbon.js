// /carbon: users and roles over SCIM 2.0 (/scim2/Users, /scim2/Groups), plus /carbon/api for what SCIM has no
// word for (the permission tree of a role, unlocking a user).

import { start, view } from './common/shell.js';
import { ApiError, request, withQuery } from './common/api.js';
import { clearErrors, el, field, notify, showErrors, table, values } from './common/ui.js';

const SCIM = { type: 'application/scim+json' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const LOCKED_CLAIM_NOTE = 'Locked after too many wrong passwords.';

// SCIM errors name no field: place them by what they say
function scimFields(err) {
    if (!(err instanceof ApiError) || Object.keys(err.fields).length) return err;
    const d = (err.message || '').toLowerCase();
    const type = err.body && err.body.scimType;
    if (type === 'uniqueness' && /role|group/.test(d)) err.fields.displayName = err.message;
    else if (type === 'uniqueness') err.fields.userName = err.message;
    else if (/password/.test(d)) err.fields.password = err.message;
    else if (/role name|rolename|displayname/.test(d)) err.fields.displayName = err.message;
    else if (/user ?name|username/.test(d)) err.fields.userName = err.message;
    else if (/email/.test(d)) err.fields.email = err.message;
    return err;
}

async function listGroups() {
    const r = await request('GET', withQuery('/scim2/Groups', { count: 200 }));
    return (r && r.Resources) || [];
}

function emailOf(u) {
    const e = (u.emails || [])[0];
    return e ? (typeof e === 'string' ? e : e.value) : '';
}

async function addToGroups(userId, groupIds) {
    for (const g of groupIds) {
        await request('PATCH', '/scim2/Groups/' + encodeURIComponent(g), {
            schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
        }, SCIM);
    }
}

async function removeFromGroups(userId, groupIds) {
    for (const g of groupIds) {
        await request('PATCH', '/scim2/Groups/' + encodeURIComponent(g), {
            schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "' + userId + '"]' }],
        }, SCIM);
    }
}

function roleChecks(groups, selected) {
    return el('fieldset', { class: 'roles' }, el('legend', {}, 'Roles'),
        groups.map((g) => {
            const id = 'role-' + g.id;
            return el('label', { class: 'inline', for: id },
                el('input', { type: 'checkbox', id, dataset: { group: g.id }, checked: selected.has(g.id) }), g.displayName);
        }),
        el('p', { class: 'hint' }, 'Internal/subscriber may subscribe to APIs in the DevPortal; Internal/creator and Internal/publisher work in the Publisher.'));
}

function checkedGroups(form) {
    return [...form.querySelectorAll('input[data-group]')].filter((c) => c.checked).map((c) => c.dataset.group);
}

// ---- users ----------------------------------------------------------------------------------------------------

async function usersView(main) {
    const results = el('div', { id: 'user-results' });
    const q = field({ label: 'Search users', name: 'q', type: 'search', hint: 'Part of a user name; empty lists everyone.' });
    const search = el('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
        q, el('button', { type: 'submit' }, 'Search'),
        el('button', { type: 'button', class: 'secondary', id: 'add-user', onclick: () => addUserForm(main) }, 'Add user'));

    let seq = 0;
    async function load() {
        const mine = ++seq;
        results.setAttribute('aria-busy', 'true');
        const text = q.control.value.trim();
        const filter = text ? 'userName co "' + text.replace(/["\\]/g, '') + '"' : undefined;
        try {
            const r = await request('GET', withQuery('/scim2/Users', { filter, count: 100 }));
            if (mine !== seq) return; // a later search answered first
            results.removeAttribute('aria-busy');
            const users = (r && r.Resources) || [];
            results.replaceChildren(users.length === 0 ? el('p', {}, 'No user matches.') : table(
                ['User name', 'E-mail', 'Roles', 'Status', ''],
                users.map((u) => [u.userName, emailOf(u),
                    (u.groups || []).map((g) => g.display).filter((n) => n !== 'Internal/everyone').join(', '),
                    u.active === false ? el('span', { class: 'badge bad' }, 'Locked') : el('span', { class: 'badge ok' }, 'Active'),
                    el('button', { type: 'button', class: 'link', onclick: () => userDetail(main, u.id) }, 'Manage ' + u.userName)]),
                { optional: [1, 2] }));
        } catch (e) {
            if (mine !== seq) return;
            results.removeAttribute('aria-busy');
            results.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        }
    }
    view(main, 'Users', search, results);
    await load();
}

async function addUserForm(main) {
    const groups = await listGroups();
    const subscriber = groups.find((g) => g.displayName === 'Internal/subscriber');
    const form = el('form', { class: 'card', id: 'add-user-form', novalidate: true },
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'User name', name: 'userName', required: true, autocomplete: 'off' })),
            el('div', {}, field({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'new-password' }))),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'E-mail', name: 'email', type: 'email', autocomplete: 'off' })),
            el('div', {}, field({ label: 'Given name', name: 'givenName' })),
            el('div', {}, field({ label: 'Family name', name: 'familyName' }))),
        roleChecks(groups.filter((g) => g.displayName !== 'Internal/everyone'), new Set(subscriber ? [subscriber.id] : [])),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Create user'),
            el('button', { type: 'button', class: 'secondary', onclick: () => { main.replaceChildren(); usersView(main); } }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const v = values(form);
        const body = { schemas: [USER_SCHEMA], userName: v.userName.trim(), password: v.password };
        if (v.email) body.emails = [{ value: v.email.trim(), primary: true }];
        if (v.givenName || v.familyName) body.name = { givenName: v.givenName || undefined, familyName: v.familyName || undefined };
        let user;
        try {
            user = await request('POST', '/scim2/Users', body, SCIM);
        } catch (err) {
            showErrors(form, scimFields(err));
            return;
        }
        try {
            await addToGroups(user.id, checkedGroups(form));
        } catch (err) {
            showErrors(form, new ApiError(err.status, 'The user was created, but a role could not be assigned: ' + err.message, {}));
            return;
        }
        notify('User ' + user.userName + ' created.');
        main.replaceChildren();
        await userDetail(main, user.id, 'User ' + user.userName + ' created.');
    });
    main.replaceChildren(el('h2', {}, 'Add user'), form);
    form.querySelector('input').focus();
}

async function userDetail(main, id, banner) {
    let u;
    let groups;
    try {
        [u, groups] = await Promise.all([request('GET', '/scim2/Users/' + encodeURIComponent(id)), listGroups()]);
    } catch (e) {
        main.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        return;
    }
    const back = el('button', { type: 'button', class: 'link', onclick: () => { main.replaceChildren(); usersView(main); } }, 'All users');

    const claims = el('form', { class: 'card', id: 'claims-form' }, el('h3', {}, 'Profile'),
        el('div', { class: 'row' },
            el('div', {}, field({ label: 'E-mail', name: 'email', type: 'email', value: emailOf(u) })),
            el('div', {}, field({ label: 'Given name', name: 'givenName', value: (u.name && u.name.givenName) || '' })),
            el('div', {}, field({ label: 'Family name', name: 'familyName', value: (u.name && u.name.familyName) || '' }))),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Save profile')));
    claims.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(claims);
        const v = values(claims);
        try {
            await request('PATCH', '/scim2/Users/' + encodeURIComponent(id), { schemas: [PATCH_OP], Operations: [
                { op: 'replace', path: 'emails', value: v.email ? [{ value: v.email.trim(), primary: true }] : [] },
                { op: 'replace', path: 'name.givenName', value: v.givenName },
                { op: 'replace', path: 'name.familyName', value: v.familyName },
            ] }, SCIM);
            notify('Profile saved.');
        } catch (err) {
            showErrors(claims, scimFields(err));
        }
    });

    const pw = el('form', { class: 'card', id: 'password-form' }, el('h3', {}, 'Password'),
        field({ label: 'New password', name: 'password', type: 'password', required: true, autocomplete: 'new-password' }),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Change password')));
    pw.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(pw);
        try {
            await request('PATCH', '/scim2/Users/' + encodeURIComponent(id), { schemas: [PATCH_OP],
                Operations: [{ op: 'replace', path: 'password', value: values(pw).password }] }, SCIM);
            pw.reset();
            notify('Password changed.');
        } catch (err) {
            showErrors(pw, scimFields(err));
        }
    });

    const mine = new Set((u.groups || []).map((g) => g.value));
    const assignable = groups.filter((g) => g.displayName !== 'Internal/everyone');
    const rolesForm = el('form', { class: 'card', id: 'user-roles-form' }, el('h3', {}, 'Roles'),
        roleChecks(assignable, mine), el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Save roles')));
    rolesForm.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(rolesForm);
        const want = new Set(checkedGroups(rolesForm));
        try {
            await addToGroups(id, [...want].filter((g) => !mine.has(g)));
            await removeFromGroups(id, assignable.map((g) => g.id).filter((g) => mine.has(g) && !want.has(g)));
            notify('Roles saved.');
            main.replaceChildren();
            await userDetail(main, id);
        } catch (err) {
            showErrors(rolesForm, err);
        }
    });

    const danger = el('section', { class: 'card' }, el('h3', {}, 'Account'),
        u.active === false ? el('p', {}, el('span', { class: 'badge bad' }, 'Locked'), ' ', LOCKED_CLAIM_NOTE) : el('p', {}, el('span', { class: 'badge ok' }, 'Active')),
        el('div', { class: 'actions' },
            u.active === false ? el('button', { type: 'button', id: 'unlock', onclick: async () => {
                try {
                    await request('POST', '/carbon/api/unlock', { userName: u.userName });
                    notify('User ' + u.userName + ' unlocked.');
                    main.replaceChildren();
                    await userDetail(main, id);
                } catch (err) {
                    notify(err.message, true);
                }
            } }, 'Unlock') : null,
            el('button', { type: 'button', class: 'danger', id: 'delete-user', onclick: async () => {
                if (!window.confirm('Delete user ' + u.userName + '? This cannot be undone.')) return;
                try {
                    await request('DELETE', '/scim2/Users/' + encodeURIComponent(id));
                    notify('User ' + u.userName + ' deleted.');
                    main.replaceChildren();
                    await usersView(main);
                } catch (err) {
                    notify(err.message, true);
                }
            } }, 'Delete user')));

    main.replaceChildren(back, el('h2', { id: 'user-title' }, 'User ' + u.userName),
        banner ? el('p', { role: 'status', id: 'banner' }, banner) : null, claims, rolesForm, pw, danger);
}

// ---- roles ----------------------------------------------------------------------------------------------------

async function rolesView(main) {
    const results = el('div', { id: 'role-results' });
    const q = field({ label: 'Search roles', name: 'q', type: 'search' });
    let all = [];
    function render() {
        const text = q.control.value.trim().toLowerCase();
        const shown = all.filter((g) => !text || g.displayName.toLowerCase().includes(text));
        results.replaceChildren(shown.length === 0 ? el('p', {}, 'No role matches.') : table(['Role', 'Users', ''],
            shown.map((g) => [g.displayName, String((g.members || []).length),
                el('button', { type: 'button', class: 'link', onclick: () => roleDetail(main, g.id) }, 'Manage ' + g.displayName)])));
    }
    const search = el('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); render(); } },
        q, el('button', { type: 'submit' }, 'Search'));
    const add = el('form', { class: 'card', id: 'add-role-form' }, el('h3', {}, 'Add role'),
        field({ label: 'Role name', name: 'displayName', required: true, hint: 'Internal/name creates an internal (hybrid) role.' }),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Add role')));
    add.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(add);
        try {
            const g = await request('POST', '/scim2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
                displayName: values(add).displayName.trim() }, SCIM);
            notify('Role ' + g.displayName + ' added.');
            await roleDetail(main, g.id);
        } catch (err) {
            showErrors(add, scimFields(err));
        }
    });
    view(main, 'Roles', search, results, add);
    try {
        all = await listGroups();
        render();
    } catch (e) {
        results.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
    }
}

// the flat list of paths as a nested tree of checkboxes
function permissionTree(paths, granted) {
    const root = { children: new Map() };
    for (const p of paths) {
        let node = root;
        const parts = p.split('/').filter(Boolean);
        let acc = '';
        for (const part of parts) {
            acc += '/' + part;
            if (!node.children.has(part)) node.children.set(part, { path: acc, children: new Map() });
            node = node.children.get(part);
        }
    }
    function render(node) {
        return el('ul', {}, [...node.children.values()].map((c) => {
            const id = 'perm-' + c.path.replace(/[^a-zA-Z0-9]/g, '-');
            return el('li', {}, el('label', { class: 'inline', for: id },
                el('input', { type: 'checkbox', id, dataset: { permission: c.path }, checked: granted.has(c.path) }),
                c.path.split('/').pop()), c.children.size ? render(c) : null);
        }));
    }
    return el('div', { class: 'tree' }, render(root));
}

async function roleDetail(main, id) {
    let g;
    let tree;
    let mine;
    try {
        g = await request('GET', '/scim2/Groups/' + encodeURIComponent(id));
        [tree, mine] = await Promise.all([request('GET', '/carbon/api/permissions'),
            request('GET', withQuery('/carbon/api/permissions', { role: g.displayName }))]);
    } catch (e) {
        main.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        return;
    }
    const back = el('button', { type: 'button', class: 'link', onclick: () => { main.replaceChildren(); rolesView(main); } }, 'All roles');
    const perms = el('form', { class: 'card', id: 'permissions-form' }, el('h3', {}, 'Permissions'),
        el('p', { class: 'hint' }, 'A permission covers everything below it.'),
        el('input', { type: 'hidden', name: 'permissions' }),
        el('p', { id: 'permissions-err-slot', class: 'field-error', hidden: true }),
        permissionTree(tree.permissions, new Set(mine.permissions)),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Save permissions')));
    perms.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(perms);
        const chosen = [...perms.querySelectorAll('input[data-permission]')].filter((c) => c.checked).map((c) => c.dataset.permission);
        try {
            await request('PUT', withQuery('/carbon/api/permissions', { role: g.displayName }), { permissions: chosen });
            notify('Permissions of ' + g.displayName + ' saved.');
        } catch (err) {
            showErrors(perms, err);
        }
    });

    const members = g.members || [];
    const addUser = el('form', { class: 'card', id: 'role-users-form' }, el('h3', {}, 'Users'),
        members.length ? table(['User', ''], members.map((m) => [m.display, el('button', { type: 'button', class: 'link',
            onclick: async () => {
                try {
                    await removeFromGroups(m.value, [g.id]);
                    notify(m.display + ' removed from ' + g.displayName + '.');
                    await roleDetail(main, id);
                } catch (err) {
                    notify(err.message, true);
                }
            } }, 'Remove ' + m.display)])) : el('p', {}, 'No user has this role.'),
        field({ label: 'Add user by name', name: 'userName' }),
        el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Assign')));
    addUser.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(addUser);
        const name = values(addUser).userName.trim();
        try {
            const r = await request('GET', withQuery('/scim2/Users', { filter: 'userName eq "' + name.replace(/["\\]/g, '') + '"' }));
            const u = r && r.Resources && r.Resources[0];
            if (!u) throw new ApiError(404, 'No user is called ' + name + '.', { userName: 'No user is called ' + name + '.' });
            await addToGroups(u.id, [g.id]);
            notify(name + ' now has the role ' + g.displayName + '.');
            await roleDetail(main, id);
        } catch (err) {
            showErrors(addUser, err);
        }
    });
    main.replaceChildren(back, el('h2', { id: 'role-title' }, 'Role ' + g.displayName), perms, addUser);
}

start({
    title: 'User management',
    sections: [
        { id: 'users', label: 'Users', render: usersView },
        { id: 'roles', label: 'Roles', render: rolesView },
    ],
});
