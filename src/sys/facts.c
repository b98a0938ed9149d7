// SPDX-License-Identifier: MIT
/* facts.c - the host facts: reading them from their sources, the fixture
 * file format, and normalisation. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "facts.h"
#include "model/proto.h"

int ip_parse_host(const char *text, struct ip_prefix *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->family = AF_INET;
		out->len = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out->bytes) == 1) {
		out->family = AF_INET6;
		out->len = 128;
		return 0;
	}
	return -1;
}

bool ip_is_loopback(const struct ip_prefix *ip)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };

	if (ip->family == AF_INET)
		return ip->bytes[0] == 127;
	return memcmp(ip->bytes, v6_loop, 16) == 0;
}

bool local_addr_broadcast(const struct local_addr *a, uint8_t out[4])
{
	const struct ip_prefix *ip = &a->ip;

	if (ip->family != AF_INET || ip->len >= 31)
		return false;
	uint32_t addr = (uint32_t)ip->bytes[0] << 24 | (uint32_t)ip->bytes[1] << 16 |
			(uint32_t)ip->bytes[2] << 8 | ip->bytes[3];
	addr |= ip->len == 0 ? UINT32_MAX : UINT32_MAX >> ip->len; /* all host bits set */
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(addr >> (24 - 8 * i));
	return true;
}

int facts_add_addr(struct host_facts *f, const struct ip_prefix *ip, int ifindex, bool dialup)
{
	if (ip_is_loopback(ip))
		return 0;
	if (f->n_addrs == f->cap_addrs) {
		size_t cap = f->cap_addrs ? 2 * f->cap_addrs : 16;
		struct local_addr *a = realloc(f->addrs, cap * sizeof(*a));
		if (!a)
			return -1;
		f->addrs = a;
		f->cap_addrs = cap;
	}
	f->addrs[f->n_addrs++] = (struct local_addr){ .ip = *ip, .ifindex = ifindex,
						      .dialup = dialup };
	return 0;
}

void facts_free(struct host_facts *f)
{
	free(f->addrs);
	memset(f, 0, sizeof(*f));
}

int facts_copy(struct host_facts *out, const struct host_facts *from)
{
	*out = *from;
	out->addrs = NULL;
	out->cap_addrs = 0;
	if (from->n_addrs) {
		if (!(out->addrs = malloc(from->n_addrs * sizeof(*out->addrs)))) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
		memcpy(out->addrs, from->addrs, from->n_addrs * sizeof(*out->addrs));
		out->cap_addrs = from->n_addrs;
	}
	return 0;
}

void facts_move(struct host_facts *out, struct host_facts *from)
{
	if (out == from)
		return;
	free(out->addrs);
	*out = *from;
	memset(from, 0, sizeof(*from));
}

int facts_add_server(struct host_facts *f, enum server_type t, const struct ip_prefix *ip)
{
	if (t == SRV_NONE || f->n_servers[t] == FACTS_SERVER_MAX)
		return -1;
	f->servers[t][f->n_servers[t]++] = *ip;
	return 0;
}

static int prefix_cmp(const struct ip_prefix *a, const struct ip_prefix *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->bytes, b->bytes, 16);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int addr_cmp(const void *x, const void *y)
{
	const struct local_addr *a = x, *b = y;
	int c = prefix_cmp(&a->ip, &b->ip);

	if (c)
		return c;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return (int)a->dialup - (int)b->dialup;
}

static int server_cmp(const void *x, const void *y)
{
	return prefix_cmp(x, y);
}

/* Address and server lists come in whatever order the kernel or the files
 * give; the engine must see the same facts the same way. A refused server
 * type keeps none. */
void facts_normalize(struct host_facts *f)
{
	size_t n = 0;

	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++)
		if (f->refused_types & 1u << t)
			f->n_servers[t] = 0; /* whatever came from other sources: all or none */

	if (f->n_addrs) /* addrs may be NULL then: qsort wants an array */
		qsort(f->addrs, f->n_addrs, sizeof(f->addrs[0]), addr_cmp);
	for (size_t i = 0; i < f->n_addrs; i++)
		if (n == 0 || prefix_cmp(&f->addrs[n - 1].ip, &f->addrs[i].ip) != 0)
			f->addrs[n++] = f->addrs[i];
	f->n_addrs = n;
	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++) {
		qsort(f->servers[t], f->n_servers[t], sizeof(f->servers[t][0]), server_cmp);
		n = 0;
		for (size_t i = 0; i < f->n_servers[t]; i++)
			if (n == 0 || prefix_cmp(&f->servers[t][n - 1], &f->servers[t][i]) != 0)
				f->servers[t][n++] = f->servers[t][i];
		f->n_servers[t] = n;
	}
}

bool facts_equal(const struct host_facts *a, const struct host_facts *b)
{
	if (a->n_addrs != b->n_addrs)
		return false;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (addr_cmp(&a->addrs[i], &b->addrs[i]) != 0)
			return false;
	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++) {
		if (a->n_servers[t] != b->n_servers[t])
			return false;
		for (size_t i = 0; i < a->n_servers[t]; i++)
			if (prefix_cmp(&a->servers[t][i], &b->servers[t][i]) != 0)
				return false;
	}
	return true;
}

static int parse_fact_line(char *line, struct host_facts *out, struct err *e)
{
	static const char *const server_words[] = { [SRV_DNS] = "dns", [SRV_WINS] = "wins",
						    [SRV_DHCP] = "dhcp",
						    [SRV_GATEWAY] = "gateway" };
	char *save, *kind = strtok_r(line, " \t", &save), *value = strtok_r(NULL, " \t", &save);
	char *flag = strtok_r(NULL, " \t", &save);
	struct ip_prefix ip;
	bool known = strcmp(kind, "addr") == 0;

	/* A word that is not a fact is not echoed: the file may be any file. */
	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++)
		known = known || strcmp(kind, server_words[t]) == 0;
	if (!known)
		return err_set(e, "the first word is not a fact (want addr, dns, wins, dhcp or gateway)");
	if (!value)
		return err_set(e, "'%.64s' needs an address", kind);
	if (strcmp(kind, "addr") == 0) {
		char *slash = strchr(value, '/');
		long len = -1;
		if (slash) {
			*slash = '\0';
			if (int_parse(slash + 1, 0, 128, &len) < 0)
				return err_set(e, "bad prefix length '%.16s'", slash + 1);
		}
		if (ip_parse_host(value, &ip) < 0)
			return err_set(e, "bad address '%.64s'", value);
		if (len > family_bits(ip.family))
			return err_set(e, "prefix length %ld is too long for '%.64s'", len, value);
		ip.len = len < 0 ? ip.len : (uint8_t)len;
		if (flag && strcmp(flag, "dialup") != 0)
			return err_set(e, "unknown flag '%.64s' (want dialup)", flag);
		if (facts_add_addr(out, &ip, 0, flag != NULL) < 0)
			return err_set(e, "out of memory");
		return 0;
	}
	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++) {
		if (strcmp(kind, server_words[t]) != 0)
			continue;
		if (flag)
			return err_set(e, "unexpected '%.64s'", flag);
		if (ip_parse_host(value, &ip) < 0)
			return err_set(e, "bad address '%.64s'", value);
		if (facts_add_server(out, (enum server_type)t, &ip) < 0)
			return err_set(e, "more than %d %s servers", FACTS_SERVER_MAX, kind);
		return 0;
	}
	return err_set(e, "the first word is not a fact (want addr, dns, wins, dhcp or gateway)");
}

int facts_parse_text(struct text *t, const char *name, struct host_facts *out, struct err *e)
{
	long lineno = 0;
	char *line;

	while ((line = text_next_line(t))) {
		lineno++;
		line[strcspn(line, "#\r")] = '\0';
		if (strspn(line, " \t") == strlen(line))
			continue;
		if (parse_fact_line(line, out, e) < 0)
			return err_prefix(e, "%s:%ld", name, lineno);
	}
	return 0;
}

int facts_parse_file(const char *path, struct host_facts *out, struct err *e)
{
	struct text t;
	int rc = text_file_read(path, &t, e);

	if (rc == 0)
		return err_set(e, "cannot open facts file '%s': %s", path, strerror(ENOENT));
	if (rc < 0)
		return err_prefix(e, "facts file");
	rc = facts_parse_text(&t, path, out, e);
	text_free(&t);
	return rc;
}

void facts_refuse(struct host_facts *f, enum server_type t, const char *why)
{
	size_t n = strlen(f->refused), w = strlen(why);

	f->refused_types |= 1u << t;
	if (n == 0)
		snprintf(f->refused, sizeof(f->refused), "%s", why);
	else if (n + 2 + w < sizeof(f->refused)) {
		memcpy(f->refused + n, "; ", 2);
		memcpy(f->refused + n + 2, why, w + 1);
	}
}

const char *const facts_file_dirs[] = {
	"/etc", "/run/systemd/resolve", "/etc/ipsecfw", FACTS_DHCLIENT_DIR, FACTS_NETWORKD_DIR,
	FACTS_NM_DIR, NULL,
};

int facts_read(const struct facts_sources *src, struct host_facts *out, struct err *e)
{
	const char *root = src && src->root ? src->root : "";

	memset(out, 0, sizeof(*out));
	if (src && src->facts_file ? facts_parse_file(src->facts_file, out, e) < 0
	    : facts_read_netlink(out, e) < 0 || facts_read_resolv(root, out, e) < 0 ||
		      facts_read_leases(root, out, e) < 0 || facts_read_wins(root, out, e) < 0) {
		facts_free(out);
		return -1;
	}
	facts_normalize(out);
	return 0;
}
