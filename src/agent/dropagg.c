// SPDX-License-Identifier: MIT
/* dropagg.c - dropped packets, counted per key until the interval ends. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "dropagg.h"
#include "model/proto.h"

static bool same_key(const struct drop *a, const struct drop *b)
{
	return a->inbound == b->inbound && a->malformed == b->malformed && a->family == b->family &&
	       a->proto == b->proto && a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16) &&
	       !strcmp(a->reason, b->reason) && !strcmp(a->filter, b->filter) &&
	       !strcmp(a->detail, b->detail);
}

static struct drop_record *find(struct dropagg *a, const struct drop *d)
{
	for (size_t i = 0; i < a->n; i++)
		if (same_key(&a->recs[i].d, d))
			return &a->recs[i];
	return NULL;
}

static void count(struct drop_record *r, long long now)
{
	r->count++;
	r->last = now;
}

void dropagg_add(struct dropagg *a, const struct drop *d, long long now)
{
	struct drop_record *r;
	struct drop folded;

	a->total++;
	/* The kernel rate-limits what it logs (200 a second per reason and
	 * direction), so a linear search of at most 1024 keys keeps up. */
	if ((r = find(a, d))) {
		count(r, now);
		return;
	}
	folded = *d;
	if (a->n_exact >= DROPAGG_EXACT && !d->malformed) {
		/* keyed records are used up (random ports): by filter and
		 * addresses alone */
		folded.sport = folded.dport = DROP_PORTS_FOLDED;
		if ((r = find(a, &folded))) {
			count(r, now);
			return;
		}
	}
	if (a->n == DROPAGG_MAX || (folded.sport != DROP_PORTS_FOLDED && a->n_exact >= DROPAGG_EXACT)) {
		if (!a->suppressed++)
			a->suppressed_first = now;
		a->suppressed_last = now;
		return;
	}
	r = &a->recs[a->n++];
	a->n_exact += folded.sport != DROP_PORTS_FOLDED;
	r->d = folded;
	r->count = 1;
	r->first = r->last = now;
}

static json_t *address(uint8_t family, const uint8_t *ip)
{
	char text[INET6_ADDRSTRLEN];

	if (!family || !inet_ntop(family, ip, text, sizeof(text)))
		return json_null();
	return json_string(text);
}

static json_t *port(int p)
{
	return p == DROP_PORTS_FOLDED ? json_string("*") : p < 0 ? json_null() : json_integer(p);
}

static json_t *text_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

void dropagg_flush(struct dropagg *a, struct event_log *log)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct drop_record *r = &a->recs[i];
		const struct drop *d = &r->d;
		const char *dir = d->inbound ? "in" : "out";
		char first[32], last[32], proto[16];
		json_t *f = json_object();
		enum event_id id = d->malformed ? EV_MALFORMED : d->inbound ? EV_DROP_IN : EV_DROP_OUT;

		event_time_format(r->first, first, sizeof(first));
		event_time_format(r->last, last, sizeof(last));
		proto_format(d->proto, proto, sizeof(proto));
		json_object_set_new(f, "time", json_string(first));
		json_object_set_new(f, "first", json_string(first));
		json_object_set_new(f, "last", json_string(last));
		json_object_set_new(f, "count", json_integer((json_int_t)r->count));
		json_object_set_new(f, "direction", json_string(dir));
		json_object_set_new(f, "protocol", json_string(proto));
		json_object_set_new(f, "src", address(d->family, d->src));
		json_object_set_new(f, "dst", address(d->family, d->dst));
		if (d->malformed) {
			json_object_set_new(f, "detail", json_string(d->detail));
			event_write(log, id, f, "%llu malformed %sbound packets dropped (%s)",
				    (unsigned long long)r->count, dir, d->detail);
			continue;
		}
		json_object_set_new(f, "sport", port(d->sport));
		json_object_set_new(f, "dport", port(d->dport));
		json_object_set_new(f, "reason", json_string(d->reason));
		json_object_set_new(f, "filter", text_or_null(d->filter));
		json_object_set_new(f, "rule", text_or_null(d->rule));
		json_object_set_new(f, "policy", text_or_null(d->policy));
		json_object_set_new(f, "store", text_or_null(d->store));
		event_write(log, id, f, "%llu %sbound %s packets dropped (%s%s%s%s)",
			    (unsigned long long)r->count, dir, proto, d->reason,
			    *d->rule ? ", rule " : "", d->rule,
			    d->sport == DROP_PORTS_FOLDED ? ", many ports" : "");
	}
	if (a->suppressed) {
		char first[32], last[32];
		event_time_format(a->suppressed_first, first, sizeof(first));
		event_time_format(a->suppressed_last, last, sizeof(last));
		event_write(log, EV_DROPS_SUPPRESSED,
			    json_pack("{s:s,s:s,s:s,s:I}", "time", first, "first", first, "last", last,
				      "count", (json_int_t)a->suppressed),
			    "suppressed %llu more dropped packets: this interval's %d records were "
			    "used", (unsigned long long)a->suppressed, DROPAGG_MAX);
	}
	a->n = a->n_exact = 0;
	a->suppressed = 0;
}
