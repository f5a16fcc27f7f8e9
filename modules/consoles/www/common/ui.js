// DOM helpers for the consoles: elements are built with createElement and text nodes only (never innerHTML), so
// nothing a server or a user typed can become markup.

let uid = 0;

/** el('button', {class: 'x', onclick: fn}, 'text', child...) */
export function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === undefined || v === null || v === false) continue;
        if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
        else if (k === 'class') e.className = v;
        else if (k === 'dataset') Object.assign(e.dataset, v);
        else if (k === 'value') e.value = v;
        else if (k === 'checked') e.checked = !!v;
        else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
        if (c === undefined || c === null || c === false) continue;
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
}

export function nextId(prefix) {
    uid += 1;
    return (prefix || 'f') + '-' + uid;
}

/**
 * A labelled control: field({label, name, type, value, required, hint, options, rows}). Returns a wrapper div whose
 * .control is the input. The error slot (aria-describedby) receives the server's message about that field.
 */
export function field(o) {
    const id = nextId(o.name);
    const errId = id + '-err';
    const hintId = o.hint ? id + '-hint' : null;
    let control;
    const common = {
        id, name: o.name, required: o.required, 'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
        autocomplete: o.autocomplete || 'off', placeholder: o.placeholder, readonly: o.readonly,
    };
    if (o.type === 'select') {
        control = el('select', common, (o.options || []).map((opt) => {
            const v = typeof opt === 'object' ? opt.value : opt;
            const t = typeof opt === 'object' ? opt.label : opt;
            return el('option', { value: v, selected: String(o.value) === String(v) }, t);
        }));
    } else if (o.type === 'textarea') {
        control = el('textarea', Object.assign(common, { rows: o.rows || 8, spellcheck: 'false' }));
        control.value = o.value || '';
    } else if (o.type === 'checkbox') {
        control = el('input', Object.assign(common, { type: 'checkbox', checked: !!o.value }));
        const w = el('div', { class: 'check' }, el('label', { class: 'inline', for: id }, control, o.label),
            el('p', { id: errId, class: 'field-error', hidden: true }));
        w.control = control;
        return w;
    } else {
        control = el('input', Object.assign(common, { type: o.type || 'text', value: o.value }));
    }
    const w = el('div', { class: 'field' }, el('label', { for: id }, o.label), control,
        o.hint ? el('p', { id: hintId, class: 'hint' }, o.hint) : null,
        el('p', { id: errId, class: 'field-error', hidden: true }));
    w.control = control;
    return w;
}

/** Remove the error messages of a form. */
export function clearErrors(root) {
    root.querySelectorAll('.field-error').forEach((p) => {
        p.textContent = '';
        p.hidden = true;
    });
    root.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
    root.querySelectorAll('.form-error').forEach((p) => p.remove());
}

/**
 * Show an ApiError in a form: each message the server tied to a field goes under that field (matched by the
 * control's name, or by the aliases map {serverField: controlName}); the rest goes at the top of the form.
 */
export function showErrors(root, err, aliases) {
    clearErrors(root);
    const fields = Object.assign({}, (err && err.fields) || {});
    let placed = false;
    for (const [f, msg] of Object.entries(fields)) {
        const name = (aliases && aliases[f]) || f;
        const c = root.querySelector('[name="' + CSS.escape(name) + '"]');
        if (!c) continue;
        const slot = document.getElementById(c.id + '-err');
        if (slot) {
            slot.textContent = msg;
            slot.hidden = false;
        }
        c.setAttribute('aria-invalid', 'true');
        if (!placed) c.focus();
        placed = true;
    }
    if (!placed) {
        const p = el('p', { class: 'form-error', role: 'alert' }, (err && err.message) || String(err));
        root.prepend(p);
    }
}

/** A short message in the polite live region at the bottom of the page. */
export function notify(text, isError) {
    const s = document.getElementById('status');
    if (!s) return;
    s.replaceChildren(el('p', { class: isError ? 'error' : '' }, text));
    clearTimeout(notify.t);
    notify.t = setTimeout(() => s.replaceChildren(), 6000);
}

/** A button that copies text to the clipboard (and says so). */
export function copyButton(text, label) {
    return el('button', {
        type: 'button', class: 'secondary', 'aria-label': label || 'Copy',
        onclick: async () => {
            try {
                await navigator.clipboard.writeText(text);
                notify('Copied to the clipboard.');
            } catch (e) {
                notify('Copying is not allowed here: select the text and copy it by hand.', true);
            }
        },
    }, 'Copy');
}

export function table(headers, rows, opts) {
    const cls = (opts && opts.optional) || [];
    return el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: cls.includes(i) ? 'opt' : null }, h)))),
        el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: cls.includes(i) ? 'opt' : null }, c)))))));
}

/** Read a form's named controls into an object (checkboxes as booleans). */
export function values(form) {
    const out = {};
    for (const c of form.querySelectorAll('[name]')) {
        if (c.type === 'checkbox') out[c.name] = c.checked;
        else out[c.name] = c.value;
    }
    return out;
}

export function confirmAction(text) {
    return window.confirm(text);
}
