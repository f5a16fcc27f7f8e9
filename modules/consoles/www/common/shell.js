// The frame every console shares: the header (title, sections the user may open, who is signed in, sign-out),
// the sign-in screen, and the hand-over to the console's own views.

import { completeSignIn, getSession, loadConfig, onSessionChange, signIn, signOut } from './auth.js';
import { el, notify } from './ui.js';

/**
 * start({title, sections: [{id, label, visible(session) -> bool, render(main, session)}], denied(session) -> string})
 * denied returns a message when the signed-in user may use nothing in this console.
 */
export async function start(app) {
    const main = document.getElementById('main');
    const nav = document.getElementById('nav');
    const who = document.getElementById('who');
    let current = null;

    function showSignedOut(message, isError) {
        nav.replaceChildren();
        who.replaceChildren();
        const button = el('button', { type: 'button', id: 'sign-in', onclick: () => signIn().catch((e) => notify(e.message, true)) },
            'Sign in');
        main.replaceChildren(el('section', { class: 'card signin' },
            el('h2', {}, app.title),
            message ? el('p', { role: isError ? 'alert' : null, class: isError ? 'form-error' : null, id: 'signin-message' }, message) : null,
            el('p', {}, 'Sign in with your Gatehouse user name and password.'),
            button));
        button.focus();
    }

    function open(section, session) {
        current = section;
        for (const b of nav.querySelectorAll('button')) {
            if (b.dataset.section === section.id) b.setAttribute('aria-current', 'page');
            else b.removeAttribute('aria-current');
        }
        main.replaceChildren();
        Promise.resolve(section.render(main, session)).catch((e) => {
            main.append(el('p', { class: 'form-error', role: 'alert' }, e.message || String(e)));
        });
        main.focus();
    }

    function showSignedIn(session) {
        const sections = app.sections.filter((s) => !s.visible || s.visible(session));
        who.replaceChildren(el('span', { id: 'user-name' }, session.user), el('button', {
            type: 'button', id: 'sign-out', class: 'secondary', onclick: async () => {
                await signOut();
                showSignedOut('You are signed out.');
            },
        }, 'Sign out'));
        nav.replaceChildren(...sections.map((s) => el('button', {
            type: 'button', dataset: { section: s.id }, onclick: () => open(s, getSession()),
        }, s.label)));
        const refusal = app.denied ? app.denied(session) : null;
        if (refusal || sections.length === 0) {
            main.replaceChildren(el('section', { class: 'card' }, el('h2', {}, app.title),
                el('p', { id: 'no-access', role: 'alert' }, refusal || 'Your account has no access to this console.')));
            return;
        }
        open(current && sections.includes(current) ? current : sections[0], session);
    }

    try {
        await loadConfig();
    } catch (e) {
        main.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, e.message));
        return;
    }
    onSessionChange((s) => {
        if (!s) showSignedOut('Your session has ended. Sign in again.');
    });
    try {
        if (await completeSignIn()) {
            showSignedIn(getSession());
            return;
        }
    } catch (e) {
        showSignedOut(e.message, true);
        return;
    }
    showSignedOut();
}

/** A heading plus a card, the usual top of a view. */
export function view(main, title, ...children) {
    main.append(el('h2', {}, title), ...children);
}
