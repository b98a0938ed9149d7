// SPDX-License-Identifier: MIT
/* addr.h - filter address operands (SPEC §1.1, §14): me, any, server types,
 * IPv4/IPv6 prefixes, and DNS names resolved once when a filter is added. */
#ifndef IPSECFW_ADDR_H
#define IPSECFW_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

enum addr_kind {
	ADDR_ANY,    /* every address, both families */
	ADDR_ME,     /* every local unicast address */
	ADDR_SERVER, /* the host's current DNS/WINS/DHCP/gateway servers */
	ADDR_IP,     /* a host or subnet; from a DNS name if name[0] */
};

enum server_type { SRV_NONE, SRV_DNS, SRV_WINS, SRV_DHCP, SRV_GATEWAY };

enum { ADDR_NAME_MAX = 254 };

struct ip_prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;    /* prefix length: 0..32 or 0..128 */
	uint8_t bytes[16];
};

struct addr {
	enum addr_kind kind;
	enum server_type server;  /* ADDR_SERVER only */
	struct ip_prefix ip;      /* ADDR_IP only */
	char name[ADDR_NAME_MAX]; /* DNS name the address came from, or "" */
};

/* What a textual operand turned out to be. */
enum addr_parse_result {
	ADDR_PARSED,     /* *out is complete */
	ADDR_NEEDS_DNS,  /* a syntactically valid host name; resolve it */
	ADDR_BAD = -1,   /* error in e */
};

/* Parses me/any/DNS/WINS/DHCP/GATEWAY, an IPv4 or IPv6 address with an
 * optional "/prefix", or recognises a host name. An IP gets a host-length
 * prefix, or the inline one, which is also returned in *inline_len (else -1).
 * Host bits are left as given: addr_apply_prefix() clears them. */
enum addr_parse_result addr_parse(const char *text, struct addr *out,
				  int *inline_len, struct err *e);

/* Parses a mask for an address of the given family: dotted (IPv4 only,
 * contiguous) or a prefix length. */
int mask_parse(const char *text, int family, uint8_t *len, struct err *e);

/* Applies a prefix length to an ADDR_IP address, clearing host bits.
 * Returns true when bits were cleared (the caller warns, SPEC Q10). */
bool addr_apply_prefix(struct addr *a, uint8_t len);

/* Bits of the family: 32 or 128. */
int family_bits(int family);

/* "any", "me", "DNS", "192.0.2.0/24", "2001:db8::1"; host prefixes are
 * printed without "/len". */
void addr_format(const struct addr *a, char *buf, size_t len);
/* The bare address of an ADDR_IP (no prefix). */
void ip_format(const struct ip_prefix *p, char *buf, size_t len);
/* The mask as netsh prints it: dotted for IPv4, prefix length for IPv6. */
void mask_format(const struct ip_prefix *p, char *buf, size_t len);

const char *server_type_name(enum server_type t);
bool addr_equal(const struct addr *a, const struct addr *b);
bool addr_is_family_less(const struct addr *a);

#endif
