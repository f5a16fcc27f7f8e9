/* The web consoles on the management listeners: /publisher, /store (also /devportal), /admin and /carbon.
 * Static pages compiled into the binary, a config.json per console, the consoles' public OAuth clients (registered
 * at start-up) and the small user-management API /carbon/api. See docs/consoles.md. */
#ifndef GH_CONSOLES_H
#define GH_CONSOLES_H

/* Register the "consoles" server module (roles publisher, devportal, admin). Register it after the key manager
 * and the user store: its setup() uses both services. */
void gh_consoles_register_module(void);

#endif
