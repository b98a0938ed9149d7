// SPDX-License-Identifier: MIT
/* decide.h - the packet decision procedure of SPEC §10 in secure mode: the
 * loopback rule, the exemptions and the best filter, and what its action
 * means for this packet and direction (SPEC §5.5). */
#ifndef IPSECFW_DECIDE_H
#define IPSECFW_DECIDE_H

#include "classify.h"
#include "ftable.h"
#include "packet.h"
#include "sys/facts.h"

enum verdict { VERDICT_PASS, VERDICT_DROP };

enum reason {
	REASON_LOOPBACK,       /* never filtered */
	REASON_NEIGHBOR_DISCOVERY, /* IPv6's ARP: never filtered either */
	REASON_NO_MATCH,       /* no filter matches: pass (F5) */
	REASON_EXEMPT,         /* an ipsecexempt class */
	REASON_PERMIT,
	REASON_BLOCK,
	REASON_NEGOTIATE_INPASS, /* negotiate, inbound cleartext accepted */
	REASON_NEGOTIATE_SOFT,   /* negotiate, outbound fallback to clear */
	REASON_NEGOTIATE,        /* negotiate without an SA: dropped */
	REASON_NEGOTIATE_BCAST,  /* negotiate never passes mcast/bcast */
};

struct decision {
	enum verdict verdict;
	enum reason reason;
	long entry; /* the deciding entry, -1 if none */
};

/* Sets p->bcast: multicast, limited broadcast or the directed broadcast of
 * a local IPv4 subnet. */
void packet_mark_bcast(struct packet *p, const struct host_facts *facts);
bool packet_is_loopback(const struct packet *p);
/* ICMPv6 router/neighbour solicitation and advertisement (types 133-136):
 * what ARP is to IPv4, which no IP filter sees. */
bool packet_is_neighbor_discovery(const struct packet *p);

/* Decides with the fast classifier, or with the reference one if fast is
 * NULL. p->bcast must be set. */
void decide(const struct ftable *t, const struct fast_cls *fast, const struct packet *p,
	    struct decision *out);

const char *verdict_name(enum verdict v);
const char *reason_name(enum reason r);

#endif
