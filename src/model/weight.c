// SPDX-License-Identifier: MIT
/* weight.c - the specificity key (SPEC §5.3, §14). */
#include <stdio.h>

#include "weight.h"

/* Severity tie-break: block 3 > negotiate 2 > permit 1. */
static unsigned severity(enum action a)
{
	switch (a) {
	case ACTION_BLOCK:
		return 3;
	case ACTION_NEGOTIATE:
		return 2;
	case ACTION_PERMIT:
		break;
	}
	return 1;
}

uint32_t weight_pack(const struct weight_fields *w)
{
	uint32_t a = w->src_bits + w->dst_bits;
	uint32_t t = (uint32_t)w->sport + (uint32_t)w->dport;

	return a << 16 | (uint32_t)w->proto << 12 | t << 8 |
	       (uint32_t)(w->dport != PORTK_ANY) << 6 | severity(w->action) << 2 |
	       (uint32_t)w->store;
}

void weight_unpack(uint32_t w, struct weight_parts *out)
{
	out->exempt = (w & WEIGHT_EXEMPT) != 0;
	w &= ~WEIGHT_EXEMPT;
	out->a = w >> 16;
	out->p = (w >> 12) & 0xf;
	out->t = (w >> 8) & 0xf;
	out->dp = (w >> 6) & 0x1;
	out->sev = (w >> 2) & 0x3;
	out->store = w & 0x3;
}

void weight_format(uint32_t w, char *buf, size_t len)
{
	struct weight_parts p;

	weight_unpack(w, &p);
	if (p.exempt)
		snprintf(buf, len, "exempt");
	else
		snprintf(buf, len, "A=%u P=%u T=%u Dp=%u Sev=%u Store=%u", p.a, p.p, p.t, p.dp,
			 p.sev, p.store);
}

enum action action_more_severe(enum action a, enum action b)
{
	return severity(a) >= severity(b) ? a : b;
}

enum port_kind port_kind_of(struct port_range p)
{
	if (port_is_any(p))
		return PORTK_ANY;
	return port_is_single(p) ? PORTK_SINGLE : PORTK_RANGE;
}

enum weight_store weight_store_of(enum store_kind s)
{
	return s == STORE_PERSISTENT ? WSTORE_PERSISTENT : WSTORE_POLICY;
}
