// SPDX-License-Identifier: MIT
/* decide.c - SPEC §10 (secure mode) and the actions of §5.5. */
#include <string.h>
#include <sys/socket.h>

#include "decide.h"
#include "model/proto.h"

bool packet_is_loopback(const struct packet *p)
{
	struct ip_prefix s = { .family = p->family }, d = { .family = p->family };

	memcpy(s.bytes, p->src, 16);
	memcpy(d.bytes, p->dst, 16);
	return ip_is_loopback(&s) || ip_is_loopback(&d);
}

bool packet_is_neighbor_discovery(const struct packet *p)
{
	/* router and neighbour solicitations and advertisements */
	return p->family == AF_INET6 && p->proto == PROTO_ICMPV6 && !p->nonfirst_frag &&
	       p->sport >= 133 && p->sport <= 136;
}

static bool is_directed_broadcast(const uint8_t *dst, const struct host_facts *f)
{
	uint8_t bcast[4];

	for (size_t i = 0; i < f->n_addrs; i++)
		if (local_addr_broadcast(&f->addrs[i], bcast) && memcmp(bcast, dst, 4) == 0)
			return true;
	return false;
}

void packet_mark_bcast(struct packet *p, const struct host_facts *facts)
{
	static const uint8_t all_ones[4] = { 255, 255, 255, 255 };

	if (p->family == AF_INET6)
		p->bcast = p->dst[0] == 0xff;
	else
		p->bcast = (p->dst[0] & 0xf0) == 224 || memcmp(p->dst, all_ones, 4) == 0 ||
			   is_directed_broadcast(p->dst, facts);
}

void decide(const struct ftable *t, const struct fast_cls *fast, const struct packet *p,
	    struct decision *out)
{
	const struct fentry *en;
	uint8_t action;

	out->entry = -1;
	out->verdict = VERDICT_PASS;
	if (packet_is_loopback(p)) {
		out->reason = REASON_LOOPBACK;
		return;
	}
	if (packet_is_neighbor_discovery(p)) {
		out->reason = REASON_NEIGHBOR_DISCOVERY;
		return;
	}
	out->entry = fast ? fast_classify(fast, p) : ref_classify(t, p);
	if (out->entry < 0) {
		out->reason = REASON_NO_MATCH;
		return;
	}
	en = &t->entries[out->entry];
	action = p->inbound ? en->action_in : en->action_out;
	switch (action) {
	case ACT_EXEMPT:
		out->reason = REASON_EXEMPT;
		return;
	case ACTION_PERMIT:
		out->reason = REASON_PERMIT;
		return;
	case ACTION_BLOCK:
		out->reason = REASON_BLOCK;
		break;
	default: /* negotiate, with no SA engine (SPEC §5.5, Q6) */
		if (p->bcast)
			out->reason = REASON_NEGOTIATE_BCAST;
		else if (p->inbound && (en->flags & EF_INPASS))
			out->reason = REASON_NEGOTIATE_INPASS;
		else if (!p->inbound && (en->flags & EF_SOFT))
			out->reason = REASON_NEGOTIATE_SOFT;
		else
			out->reason = REASON_NEGOTIATE;
		if (out->reason == REASON_NEGOTIATE_INPASS || out->reason == REASON_NEGOTIATE_SOFT)
			return;
		break;
	}
	out->verdict = VERDICT_DROP;
}

const char *verdict_name(enum verdict v)
{
	return v == VERDICT_PASS ? "PASS" : "DROP";
}

const char *reason_name(enum reason r)
{
	static const char *const names[] = {
		[REASON_LOOPBACK] = "loopback is never filtered",
		[REASON_NEIGHBOR_DISCOVERY] = "IPv6 neighbour discovery is never filtered",
		[REASON_NO_MATCH] = "no filter matches",
		[REASON_EXEMPT] = "exempt",
		[REASON_PERMIT] = "permit",
		[REASON_BLOCK] = "block",
		[REASON_NEGOTIATE_INPASS] = "negotiate, inpass accepts cleartext",
		[REASON_NEGOTIATE_SOFT] = "negotiate, soft falls back to clear",
		[REASON_NEGOTIATE] = "negotiate, no security association",
		[REASON_NEGOTIATE_BCAST] = "negotiate drops multicast and broadcast",
	};
	return names[r];
}
