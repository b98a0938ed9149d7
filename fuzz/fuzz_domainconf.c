// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as /etc/ipsecfw/domain.conf. Nothing may
 * crash, leak or read out of bounds; a parsed configuration holds what
 * the parser promises (some uri, a base, at most one host identity, bounded
 * strings, gssapi's keytab), and an error never quotes a value it refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "directory/domainconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain_conf *c = malloc(sizeof *c);
	struct err e;

	if (!c)
		return 0;
	if (domain_conf_parse((const char *)data, size, "fuzz.conf", c, &e) == 0) {
		/* one host identity at most: the CLI needs none, the agent one
		 * (domain_conf_host_check) */
		if (c->n_uris == 0 || c->n_uris > DOMAIN_MAX_URIS || !*c->base ||
		    (*c->computer && *c->hostname) || c->timeout_s < 1)
			abort();
		/* gssapi: an absolute keytab, never a local socket */
		if (c->bind == BIND_GSSAPI &&
		    (c->keytab[0] != '/' || strncmp(c->uris[0], "ldapi://", 8) == 0))
			abort();
		for (size_t i = 0; i < c->n_uris; i++)
			if (strnlen(c->uris[i], DOMAIN_VALUE_MAX) == DOMAIN_VALUE_MAX)
				abort();
	} else if (strncmp(e.msg, "fuzz.conf", 9) != 0) {
		abort();
	}
	free(c);
	return 0;
}
