// SPDX-License-Identifier: MIT
/* pktparse.h - packet headers from captured bytes: Ethernet (with VLAN
 * tags), Linux cooked v1/v2 and raw IP links; IPv4 and IPv6 (extension
 * headers walked); fragments per SPEC §5.4. */
#ifndef IPSECFW_PKTPARSE_H
#define IPSECFW_PKTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Link types, by their pcap DLT numbers. */
enum {
	LINK_ETHERNET = 1,    /* DLT_EN10MB */
	LINK_RAW = 12,        /* DLT_RAW */
	LINK_RAW_ALT = 14,    /* DLT_RAW on some BSDs, and LINKTYPE_RAW=101 */
	LINK_LINUX_SLL = 113, /* DLT_LINUX_SLL */
	LINK_IPV4 = 228,
	LINK_IPV6 = 229,
	LINK_LINUX_SLL2 = 276,
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP = 1,   /* ARP, LLDP...: not ours */
	PARSE_TRUNCATED = -1,
	PARSE_BAD_LINK = -2, /* a link type we do not read */
};

/* Fills src, dst, proto, ports (or ICMP type and code) and nonfirst_frag.
 * Direction, bcast and iface are the caller's. */
enum parse_result packet_parse_link(int link, const uint8_t *data, size_t len, struct packet *out);
/* Is this a link type packet_parse_link reads? */
bool packet_link_supported(int link);
enum parse_result packet_parse_ip(const uint8_t *data, size_t len, struct packet *out);

#endif
