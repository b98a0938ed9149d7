// SPDX-License-Identifier: MIT
/* packet.h - the header fields a decision needs (SPEC §5.4, §10). */
#ifndef IPSECFW_PACKET_H
#define IPSECFW_PACKET_H

#include <stdbool.h>
#include <stdint.h>

struct packet {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport; /* ICMP and ICMPv6: type and code */
	bool nonfirst_frag;    /* carries no ports (SPEC §5.4, Q11) */
	bool inbound;
	bool bcast;    /* destination is multicast or broadcast (set by decide) */
	uint8_t iface; /* CONN_LAN_BIT or CONN_DIALUP_BIT; 0 = unknown, any */
};

#endif
