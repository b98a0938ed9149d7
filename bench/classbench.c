// SPDX-License-Identifier: MIT
/* classbench.c - ClassBench files as ipsecfw inputs. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classbench.h"

static FILE *open_maybe_xz(const char *path, bool *piped)
{
	size_t n = strlen(path);
	char cmd[4200];

	*piped = n > 3 && strcmp(path + n - 3, ".xz") == 0;
	if (!*piped)
		return fopen(path, "r");
	snprintf(cmd, sizeof(cmd), "xz -dc '%s'", path);
	return popen(cmd, "r");
}

static void close_maybe_xz(FILE *f, bool piped)
{
	if (piped)
		pclose(f);
	else
		fclose(f);
}

int classbench_load_rules(const char *path, struct ruleset *rs, size_t *n_rules)
{
	bool piped;
	FILE *in = open_maybe_xz(path, &piped);
	char line[512];
	struct rs_filter *f[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 }, cap = 0, total = 0;

	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		unsigned s[4], d[4], sl, dl, splo, sphi, dplo, dphi, proto, pmask;
		if (sscanf(line, "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x", &s[0], &s[1],
			   &s[2], &s[3], &sl, &d[0], &d[1], &d[2], &d[3], &dl, &splo, &sphi, &dplo,
			   &dphi, &proto, &pmask) != 16)
			continue;
		if (total / 2 + 1 > cap) {
			cap = cap ? cap * 2 : 1024;
			f[0] = realloc(f[0], cap * sizeof(*f[0]));
			f[1] = realloc(f[1], cap * sizeof(*f[1]));
		}
		int k = (int)(total % 2);
		struct rs_filter *x = &f[k][n[k]++];
		memset(x, 0, sizeof(*x));
		x->src.kind = x->dst.kind = ADDR_IP;
		x->src.ip.family = x->dst.ip.family = AF_INET;
		for (int i = 0; i < 4; i++) {
			x->src.ip.bytes[i] = (uint8_t)s[i];
			x->dst.ip.bytes[i] = (uint8_t)d[i];
		}
		x->src.ip.len = (uint8_t)sl;
		x->dst.ip.len = (uint8_t)dl;
		if (sl == 0)
			x->src.kind = ADDR_ANY;
		if (dl == 0)
			x->dst.kind = ADDR_ANY;
		x->proto = pmask ? (uint8_t)proto : 0;
		x->sport = (struct port_range){ (uint16_t)splo, (uint16_t)sphi };
		x->dport = (struct port_range){ (uint16_t)dplo, (uint16_t)dphi };
		x->icmp_type = x->icmp_code = -1;
		x->seq = x->id = (int64_t)++total;
		snprintf(x->guid, sizeof(x->guid), "{classbench-%zu}", total);
	}
	close_maybe_xz(in, piped);
	for (int k = 0; k < 2; k++) {
		struct ruleset_rule r = { 0 };
		r.store = WSTORE_POLICY;
		snprintf(r.store_name, sizeof(r.store_name), "local");
		snprintf(r.policy, sizeof(r.policy), "%s", "ClassBench");
		snprintf(r.rule, sizeof(r.rule), "%s", k ? "odd" : "even");
		snprintf(r.list, sizeof(r.list), "%s", k ? "odd" : "even");
		r.action_in = r.action_out = k ? ACTION_BLOCK : ACTION_PERMIT;
		ruleset_add(rs, &r, f[k], n[k]);
		free(f[k]);
	}
	*n_rules = total;
	return total ? 0 : -1;
}

int classbench_load_trace(const char *path, struct packet **out, size_t *n)
{
	bool piped;
	FILE *in = open_maybe_xz(path, &piped);
	char line[256];
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		unsigned long s, d;
		unsigned sp, dp, proto;
		if (sscanf(line, "%lu %lu %u %u %u", &s, &d, &sp, &dp, &proto) != 5)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			*out = realloc(*out, cap * sizeof(**out));
		}
		struct packet *p = &(*out)[(*n)++];
		memset(p, 0, sizeof(*p));
		p->family = AF_INET;
		uint32_t sb = htonl((uint32_t)s), db = htonl((uint32_t)d);
		memcpy(p->src, &sb, 4);
		memcpy(p->dst, &db, 4);
		p->sport = (uint16_t)sp;
		p->dport = (uint16_t)dp;
		p->proto = (uint8_t)proto;
	}
	close_maybe_xz(in, piped);
	return *n ? 0 : -1;
}
