// SPDX-License-Identifier: MIT
/* proto.h - IP protocol keywords and numbers (SPEC §1, Q9) and port ranges
 * (SPEC §1, §14). */
#ifndef IPSECFW_PROTO_H
#define IPSECFW_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum {
	PROTO_ANY = 0,
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_RSVP = 46,
	PROTO_ICMPV6 = 58,
	PROTO_RAW = 255, /* SPEC Q9 */
};

/* ANY, ICMP, TCP, UDP, RAW, ICMPV6 (any case) or 0..255. */
int proto_parse(const char *text, uint8_t *out, struct err *e);
/* "ANY", "TCP", ... or the number. */
void proto_format(uint8_t proto, char *buf, size_t len);
bool proto_has_ports(uint8_t proto);
bool proto_is_icmp(uint8_t proto);

/* An inclusive port range; 0-65535 is "any" and a single 0 means any too. */
struct port_range {
	uint16_t lo, hi;
};

#define PORT_ANY ((struct port_range){ 0, 65535 })

/* "80", "0" (any) or "lo-hi". */
int port_parse(const char *text, struct port_range *out, struct err *e);
void port_format(struct port_range p, char *buf, size_t len);
bool port_is_any(struct port_range p);
bool port_is_single(struct port_range p);

/* Parses a decimal integer in [lo, hi]; rejects signs, blanks and junk. */
int int_parse(const char *text, long lo, long hi, long *out);

#endif
