// SPDX-License-Identifier: MIT
/* classify_ref.c - the reference classifier: SPEC §5.4 read literally. */
#include <string.h>

#include "classify.h"

bool prefix_matches(const uint8_t *want, uint8_t len, const uint8_t *addr)
{
	size_t whole = len / 8;
	unsigned rest = len % 8;

	if (memcmp(want, addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (addr[whole] & mask) == want[whole];
}

static bool port_matches(struct port_range r, uint16_t port, bool nonfirst_frag)
{
	if (port_is_any(r))
		return true;
	return !nonfirst_frag && port >= r.lo && port <= r.hi;
}

bool entry_matches(const struct fentry *en, const struct packet *p)
{
	if ((en->family && en->family != p->family) || !fentry_sees(en, p->inbound))
		return false;
	if (!prefix_matches(en->src, en->src_len, p->src))
		return false;
	if (p->inbound && p->bcast && en->exempt == EXC_NONE) {
		/* Only source-any filters to any or to me see inbound multicast
		 * and broadcast, and for them the destination counts as mine. */
		if (!(en->flags & EF_BCAST))
			return false;
	} else if (!prefix_matches(en->dst, en->dst_len, p->dst)) {
		return false;
	}
	if (en->proto && en->proto != p->proto)
		return false;
	if (!port_matches(en->sport, p->sport, p->nonfirst_frag) ||
	    !port_matches(en->dport, p->dport, p->nonfirst_frag))
		return false;
	return p->iface == 0 || (en->conn & p->iface);
}

long ref_classify(const struct ftable *t, const struct packet *p)
{
	long best = -1;

	for (size_t i = 0; i < t->n_entries; i++) {
		const struct fentry *en = &t->entries[i];
		if (entry_matches(en, p) &&
		    (best < 0 || fentry_better(en, (uint32_t)i, &t->entries[best], (uint32_t)best)))
			best = (long)i;
	}
	return best;
}
