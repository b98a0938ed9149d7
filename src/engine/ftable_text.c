// SPDX-License-Identifier: MIT
/* ftable_text.c - FilterTable entries as text: for explanations, golden
 * files and determinism checks. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "ftable.h"
#include "model/weight.h"

const char *exempt_class_name(enum exempt_class c)
{
	static const char *const names[] = { "none", "ISAKMP", "Kerberos", "RSVP", "multicast",
					     "broadcast" };
	return c <= EXC_BROADCAST ? names[c] : "?";
}

const char *side_kind_name(enum side_kind k)
{
	static const char *const names[] = { "any", "me", "host", "subnet", "server" };
	return k <= SIDE_SERVER ? names[k] : "?";
}

static void side_format(uint8_t family, const uint8_t *bytes, uint8_t len, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (family == 0 || len == 0) {
		snprintf(buf, n, "any");
		return;
	}
	inet_ntop(family, bytes, a, sizeof(a));
	if (len == family_bits(family))
		snprintf(buf, n, "%s", a);
	else
		snprintf(buf, n, "%s/%u", a, len);
}

static void ports_format(const char *what, struct port_range p, char *buf, size_t n)
{
	char t[16];

	if (port_is_any(p)) {
		buf[0] = '\0';
		return;
	}
	port_format(p, t, sizeof(t));
	snprintf(buf, n, " %s %s", what, t);
}

void fentry_format_match(const struct fentry *en, char *buf, size_t len)
{
	char s[64], d[64], proto[16] = "any", sp[32], dp[32];
	bool icmp = proto_is_icmp(en->proto);

	side_format(en->family, en->src, en->src_len, s, sizeof(s));
	side_format(en->family, en->dst, en->dst_len, d, sizeof(d));
	if (en->proto)
		proto_format(en->proto, proto, sizeof(proto));
	ports_format(icmp ? "type" : "sport", en->sport, sp, sizeof(sp));
	ports_format(icmp ? "code" : "dport", en->dport, dp, sizeof(dp));
	snprintf(buf, len, "%s -> %s %s%s%s%s%s", s, d, proto, sp, dp,
		 en->conn == CONN_BOTH ? "" : en->conn == CONN_LAN_BIT ? " lan" : " dialup",
		 en->flags & EF_IN_ONLY ? " inbound" : en->flags & EF_OUT_ONLY ? " outbound" : "");
}

void ftable_filter_origin(const struct ftable *t, uint32_t fi, bool mirror, char *buf, size_t len)
{
	const struct ftable_filter *tf = &t->filters[fi];
	const struct ruleset_rule *r = &t->rules[tf->rule];

	/* A dynamic rule (SPEC §3) is its own filter: no list, named by its
	 * GUID, under its main mode policy. */
	if (r->store == WSTORE_DYNAMIC)
		snprintf(buf, len, "dynamic rule %s%s (mmpolicy '%s', in %s, out %s)", r->rule,
			 mirror ? " (mirror)" : "", r->policy, action_name(r->action_in),
			 action_name(r->action_out));
	else
		snprintf(buf, len, "filter %" PRId64 "%s of list '%s' in rule '%s' of policy '%s' (%s)",
			 tf->f.id, mirror ? " (mirror)" : "", r->list, r->rule, r->policy,
			 r->store_name);
}

void fentry_format_origin(const struct ftable *t, const struct fentry *en, char *buf, size_t len)
{
	if (en->filter == UINT32_MAX)
		snprintf(buf, len, "exemption %s (ipsecexempt=%d)", exempt_class_name(en->exempt),
			 t->ipsecexempt);
	else
		ftable_filter_origin(t, en->filter, en->flags & EF_MIRROR, buf, len);
}

static const char *entry_action_name(uint8_t a)
{
	return a == ACT_EXEMPT ? "exempt" : action_name((enum action)a);
}

void ftable_write(const struct ftable *t, FILE *out)
{
	char match[256], origin[1200], w[64];

	fprintf(out, "# ipsecfw filter table: %zu entries, ipsecexempt=%d\n", t->n_entries,
		t->ipsecexempt);
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct fentry *en = &t->entries[i];
		fentry_format_match(en, match, sizeof(match));
		fentry_format_origin(t, en, origin, sizeof(origin));
		weight_format(en->weight, w, sizeof(w));
		fprintf(out, "%zu\t%s\tin=%s out=%s%s%s%s\t%s\tprio=%016" PRIx64 "\t%s\n", i, match,
			entry_action_name(en->action_in), entry_action_name(en->action_out),
			en->flags & EF_INPASS ? " inpass" : "", en->flags & EF_SOFT ? " soft" : "",
			en->flags & EF_BCAST ? " bcast" : "", w, en->prio, origin);
	}
}
