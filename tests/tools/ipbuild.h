// SPDX-License-Identifier: MIT
/* ipbuild.h - the test tools' packet builder.
 *
 * One packet per line: "PROTO SRC DST SPORT DPORT [frag|first]" (IPv4 or
 * IPv6 by the addresses; PROTO tcp, udp, icmp, icmpv6 or a number; for ICMP
 * SPORT and DPORT are type and code; "frag" makes a non-first fragment,
 * "first" a first fragment with more to come). The transport header is 8
 * bytes; no checksums. id goes to the IPv4 identification or the IPv6 flow
 * label, so a receiver can tell packets apart. */
#ifndef IPBUILD_H
#define IPBUILD_H

#include <stddef.h>
#include <stdint.h>

size_t put16(uint8_t *p, unsigned v);
/* Writes the packet to buf (128 bytes are enough); its length, 0 if the
 * line is not a packet. *ethertype says IPv4 or IPv6. */
size_t build_ip(const char *line, uint8_t *buf, int *ethertype, uint32_t id);

#endif
