// SPDX-License-Identifier: MIT
/* pktparse.c - decoding captured packets. Every read is bounds-checked:
 * captures come from anywhere. */
#include <string.h>
#include <sys/socket.h>

#include "model/proto.h"
#include "pktparse.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ports, or ICMP type and code, of a first fragment's transport header. */
static enum parse_result transport(const uint8_t *p, size_t len, struct packet *out)
{
	if (out->nonfirst_frag)
		return PARSE_OK;
	if (proto_has_ports(out->proto)) {
		if (len < 4)
			return PARSE_TRUNCATED;
		out->sport = be16(p);
		out->dport = be16(p + 2);
	} else if (proto_is_icmp(out->proto)) {
		if (len < 2)
			return PARSE_TRUNCATED;
		out->sport = p[0];
		out->dport = p[1];
	}
	return PARSE_OK;
}

static enum parse_result parse_v4(const uint8_t *p, size_t len, struct packet *out)
{
	size_t ihl;

	if (len < 20 || (ihl = (size_t)(p[0] & 0x0f) * 4) < 20 || len < ihl)
		return PARSE_TRUNCATED;
	out->family = AF_INET;
	out->proto = p[9];
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	out->nonfirst_frag = (be16(p + 6) & 0x1fff) != 0;
	return transport(p + ihl, len - ihl, out);
}

static enum parse_result parse_v6(const uint8_t *p, size_t len, struct packet *out)
{
	uint8_t next;
	size_t off = 40;

	if (len < 40)
		return PARSE_TRUNCATED;
	out->family = AF_INET6;
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	next = p[6];
	/* Walk the extension headers to the upper-layer protocol. */
	for (int hops = 0; hops < 16; hops++) {
		switch (next) {
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (len < off + 8)
				return PARSE_TRUNCATED;
			next = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
			continue;
		case 44: /* fragment */
			if (len < off + 8)
				return PARSE_TRUNCATED;
			next = p[off];
			out->nonfirst_frag = (be16(p + off + 2) & 0xfff8) != 0;
			off += 8;
			continue;
		case 51: /* AH: length in 4-octet units, minus 2 */
			if (len < off + 8)
				return PARSE_TRUNCATED;
			next = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
			continue;
		default:
			break;
		}
		break;
	}
	if (off > len)
		return PARSE_TRUNCATED;
	out->proto = next;
	return transport(p + off, len - off, out);
}

enum parse_result packet_parse_ip(const uint8_t *data, size_t len, struct packet *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 1)
		return PARSE_TRUNCATED;
	switch (data[0] >> 4) {
	case 4:
		return parse_v4(data, len, out);
	case 6:
		return parse_v6(data, len, out);
	}
	return PARSE_NOT_IP;
}

static enum parse_result by_ethertype(uint16_t type, const uint8_t *p, size_t len,
				      struct packet *out)
{
	if (type != 0x0800 && type != 0x86dd)
		return PARSE_NOT_IP;
	return packet_parse_ip(p, len, out);
}

enum parse_result packet_parse_link(int link, const uint8_t *data, size_t len, struct packet *out)
{
	size_t off;
	uint16_t type;

	switch (link) {
	case LINK_ETHERNET:
		if (len < 14)
			return PARSE_TRUNCATED;
		off = 12;
		type = be16(data + off);
		/* 802.1Q and 802.1ad tags, possibly stacked */
		while (type == 0x8100 || type == 0x88a8) {
			off += 4;
			if (len < off + 2)
				return PARSE_TRUNCATED;
			type = be16(data + off);
		}
		return by_ethertype(type, data + off + 2, len - off - 2, out);
	case LINK_LINUX_SLL:
		if (len < 16)
			return PARSE_TRUNCATED;
		return by_ethertype(be16(data + 14), data + 16, len - 16, out);
	case LINK_LINUX_SLL2:
		if (len < 20)
			return PARSE_TRUNCATED;
		return by_ethertype(be16(data), data + 20, len - 20, out);
	case LINK_RAW:
	case LINK_RAW_ALT:
	case 101:
	case LINK_IPV4:
	case LINK_IPV6:
		return packet_parse_ip(data, len, out);
	}
	return PARSE_BAD_LINK;
}

bool packet_link_supported(int link)
{
	struct packet p;

	/* every known link reports an empty frame as truncated */
	return packet_parse_link(link, NULL, 0, &p) != PARSE_BAD_LINK;
}
