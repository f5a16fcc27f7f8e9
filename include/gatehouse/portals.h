/* The Publisher, DevPortal (Store) and Admin REST APIs of API Manager 2.6 (v0.14): APIs and their lifecycle,
 * applications, subscriptions, keys and throttling policies. See docs/portals.md. */
#ifndef GH_PORTALS_H
#define GH_PORTALS_H

/* Register the "portals" server module (GH_FAMILY_MODULE; roles publisher, devportal, admin: each base path
 * is routed only when the profile runs its role). Call after the key manager's registration: the module uses
 * the "userstore" and "keymanager" services at setup. Idempotent. */
void gh_portal_register_module(void);

#endif
