/* SCIM 2.0 (RFC 7643/7644) on the management listeners: /scim2/Users, /scim2/Groups, /scim2/Me. */
#ifndef GH_SCIM_H
#define GH_SCIM_H

/* Register the "scim" server module (needs the "userstore" service). */
void gh_scim_register_module(void);

#endif
