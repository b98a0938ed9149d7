// SPDX-License-Identifier: MIT
#include "policy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "label.h"
#include "secmethods.h"

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->src.kind = ADDR_ANY;
	f->dst.kind = ADDR_ANY;
	f->sport = PORT_ANY;
	f->dport = PORT_ANY;
	f->icmp_type = -1;
	f->icmp_code = -1;
	f->mirrored = true;
}

void filteraction_init(struct filteraction *a)
{
	memset(a, 0, sizeof(*a));
	a->action = ACTION_NEGOTIATE;
	snprintf(a->qmsecmethods, sizeof(a->qmsecmethods), "%s", QM_DEFAULT_METHODS);
}

void rule_init(struct rule *r)
{
	memset(r, 0, sizeof(*r));
	r->conntype = CONN_ALL;
	r->active = true;
	snprintf(r->auth, sizeof(r->auth), "kerberos");
}

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mmlifetime = 480;
	p->pollinginterval = 180;
	snprintf(p->mmsecmethods, sizeof(p->mmsecmethods), "%s", MM_DEFAULT_METHODS);
	p->defrule.active = true;
	snprintf(p->defrule.qmsecmethods, sizeof(p->defrule.qmsecmethods), "%s",
		 QM_DEFAULT_METHODS);
	snprintf(p->defrule.auth, sizeof(p->defrule.auth), "kerberos");
}

static int side_family(const struct addr *a)
{
	return a->kind == ADDR_IP ? a->ip.family : 0;
}

int filter_validate(const struct filter *f, struct err *e)
{
	int sf = side_family(&f->src), df = side_family(&f->dst);

	if (f->src.kind == ADDR_SERVER && f->dst.kind != ADDR_ME)
		return err_set(e, "source is the server type %s, so the destination must be 'me'",
			       server_type_name(f->src.server));
	if (f->dst.kind == ADDR_SERVER && f->src.kind != ADDR_ME)
		return err_set(e, "destination is the server type %s, so the source must be 'me'",
			       server_type_name(f->dst.server));
	if (sf && df && sf != df)
		return err_set(e, "source and destination are of different address families");
	if ((!port_is_any(f->sport) || !port_is_any(f->dport)) && !proto_has_ports(f->proto))
		return err_set(e, "ports need protocol TCP or UDP");
	if (f->icmp_type >= 0 || f->icmp_code >= 0) {
		if (!proto_is_icmp(f->proto))
			return err_set(e, "icmptype and icmpcode need protocol ICMP or ICMPV6");
		if (f->icmp_type < 0)
			return err_set(e, "icmpcode needs icmptype");
	}
	if ((f->proto == PROTO_ICMP && (sf == AF_INET6 || df == AF_INET6)) ||
	    (f->proto == PROTO_ICMPV6 && (sf == AF_INET || df == AF_INET)))
		return err_set(e, "protocol %s does not fit the address family",
			       f->proto == PROTO_ICMP ? "ICMP" : "ICMPV6");
	return 0;
}

void filter_mirror(const struct filter *f, struct filter *out)
{
	*out = *f;
	out->src = f->dst;
	out->dst = f->src;
	out->sport = f->dport;
	out->dport = f->sport;
}

void filter_key(const struct filter *f, char *buf, size_t len)
{
	char s[80], d[80], sp[16], dp[16];

	addr_format(&f->src, s, sizeof(s));
	addr_format(&f->dst, d, sizeof(d));
	port_format(f->sport, sp, sizeof(sp));
	port_format(f->dport, dp, sizeof(dp));
	snprintf(buf, len, "%s %s %u %s %s %d %d %d", s, d, f->proto, sp, dp, f->icmp_type,
		 f->icmp_code, f->mirrored);
}

static const char *const store_names[] = { "local", "persistent", "domain" };
static const char *const action_names[] = { "permit", "block", "negotiate" };
static const char *const conntype_names[] = { "all", "lan", "dialup" };

static int name_lookup(const char *const *names, int n, const char *text)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(names[i], text) == 0)
			return i;
	return -1;
}

const char *store_kind_name(enum store_kind s)
{
	return store_names[s];
}

int store_kind_parse(const char *text, enum store_kind *out)
{
	int i = name_lookup(store_names, 3, text);
	if (i < 0)
		return -1;
	*out = (enum store_kind)i;
	return 0;
}

const char *action_name(enum action a)
{
	return action_names[a];
}

int action_parse(const char *text, enum action *out)
{
	int i = name_lookup(action_names, 3, text);
	if (i < 0)
		return -1;
	*out = (enum action)i;
	return 0;
}

const char *conntype_name(enum conntype c)
{
	return conntype_names[c];
}

int conntype_parse(const char *text, enum conntype *out)
{
	int i = name_lookup(conntype_names, 3, text);
	if (i < 0)
		return -1;
	*out = (enum conntype)i;
	return 0;
}

int field_copy(char *dst, size_t cap, const char *text, const char *what, struct err *e)
{
	size_t n = strlen(text);

	if (n >= cap)
		return err_set(e, "%s is too long (%zu bytes, at most %zu)", what, n, cap - 1);
	if (label_check(text, e) < 0)
		return -1;
	memcpy(dst, text, n + 1);
	return 0;
}
