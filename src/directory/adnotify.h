/* adnotify.h - Active Directory's change notification (MS-ADTS
 * §3.1.1.3.4.1.9, LDAP_SERVER_NOTIFICATION_OID): where the server's
 * root DSE offers the control, persistent searches on what decides the
 * host's policy (the IP Security container, the GPOs, and the domain and
 * OUs whose gPLink apply to the host) tell of a change as it happens, so
 * the agent fetches again at once instead of at the next poll. A
 * connection of its own, bound as domain.conf says. */
#ifndef IPSECFW_ADNOTIFY_H
#define IPSECFW_ADNOTIFY_H

#include "directory/domainconf.h"

struct ad_notify;

enum ad_notify_event {
	AD_NOTIFY_QUIET,   /* nothing that matters (yet) */
	AD_NOTIFY_CHANGED, /* something changed: fetch again */
	AD_NOTIFY_LOST,    /* the connection or a search ended: close, poll, open again */
};

/* Opens the watch for the host whose object is computer. 1 and *out when
 * the server answered and offers notification, 0 (and *out NULL) when it
 * does not offer it, -1 with e when no server answered or it refused. */
int ad_notify_open(struct ad_notify **out, const struct domain_conf *c, const char *computer,
		   struct err *e);
/* The connection's descriptor, for the agent's event loop. */
int ad_notify_fd(const struct ad_notify *n);
/* Reads what the server sent, without blocking. */
enum ad_notify_event ad_notify_read(struct ad_notify *n);
void ad_notify_close(struct ad_notify *n);

#endif
