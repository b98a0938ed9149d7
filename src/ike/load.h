/* load.h - charon brought in line with the negotiate rules in force, over
 * VICI: mapped connections and keys loaded, ours that disappeared
 * unloaded, everyone else's left alone. */
#ifndef IPSECFW_IKE_LOAD_H
#define IPSECFW_IKE_LOAD_H

#include "ike/mapping.h"

#define IKE_SOCKET_DEFAULT "unix:///var/run/charon.vici"

struct ike_load_result {
	size_t loaded, unloaded, skipped; /* skipped: not mapped (notes say why) */
};

int ike_load(const struct ike_config *c, const char *socket_url, struct ike_load_result *out,
	     struct err *e);

/* $IPSECFW_VICI, else charon's default socket. */
const char *ike_socket_default(void);

#endif
