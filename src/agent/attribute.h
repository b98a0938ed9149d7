// SPDX-License-Identifier: MIT
/* attribute.h - which filter, rule and policy dropped a logged packet: the
 * packet is decided again against the table the kernel was given (the
 * kernel's verdict equals the reference classifier's, tests/e2e proves it),
 * and the log prefix tells direction and reason. */
#ifndef IPSECFW_ATTRIBUTE_H
#define IPSECFW_ATTRIBUTE_H

#include "dropagg.h"
#include "engine/classify.h"
#include "engine/ftable.h"

struct attribution {
	const struct ftable *table; /* NULL: not in secure mode */
	const struct fast_cls *fast;
	const struct host_facts *facts;
};

/* Fills out from a log line; false if the prefix is not ipsecfw's. */
bool drop_attribute(const struct attribution *a, const char *prefix, const uint8_t *packet,
		    size_t len, struct drop *out);

#endif
