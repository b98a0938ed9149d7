// SPDX-License-Identifier: MIT
/* load.h - charon brought in line with the negotiate rules in force, over
 * VICI: mapped connections and keys loaded, ours that disappeared
 * unloaded, everyone else's left alone. */
#ifndef IPSECFW_IKE_LOAD_H
#define IPSECFW_IKE_LOAD_H

#include "backend/fingerprint.h"
#include "ike/mapping.h"

#define IKE_SOCKET_DEFAULT "unix:///var/run/charon.vici"

struct ike_load_result {
	size_t loaded, unloaded, skipped; /* skipped: not mapped (notes say why) */
};

int ike_load(const struct ike_config *c, const char *socket_url, struct ike_load_result *out,
	     struct err *e);

/* A digest of what ike_load would give charon (connections and keys):
 * equal digests load the same. */
int ike_config_digest(const struct ike_config *c, char out[FINGERPRINT_HEX + 1], struct err *e);

/* $IPSECFW_VICI, else charon's default socket. */
const char *ike_socket_default(void);

#endif
