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

bool dropagg_add(struct dropagg *a, const struct drop *d, long long now)
{
	struct drop_record *r;

	a->total++;
	/* The kernel rate-limits what it logs (200 a second per reason and
	 * direction), so a linear search of at most 1024 keys keeps up. */
	for (size_t i = 0; i < a->n; i++) {
		r = &a->recs[i];
		if (same_key(&r->d, d)) {
			r->count++;
			r->last = now;
			return false;
		}
	}
	r = &a->recs[a->n++];
	r->d = *d;
	r->count = 1;
	r->first = r->last = now;
	return a->n == DROPAGG_MAX;
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
	return p < 0 ? json_null() : json_integer(p);
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
		event_write(log, id, f, "%llu %sbound %s packets dropped (%s%s%s)",
			    (unsigned long long)r->count, dir, proto, d->reason,
			    *d->rule ? ", rule " : "", d->rule);
	}
	a->n = 0;
}
