// SPDX-License-Identifier: MIT
/* resolv.c - DNS servers from resolv.conf (or, behind systemd-resolved's
 * stub, from the uplink file it keeps) and WINS servers from ipsecfw's own
 * configuration file. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

static const char *const resolv_keywords[] = { "nameserver", "domain", "search", "sortlist",
					       "options", NULL };

static bool known_word(const char *word, const char *const *known)
{
	if (!known || !word || word[0] == '#' || word[0] == ';')
		return true;
	for (size_t i = 0; known[i]; i++)
		if (strcmp(word, known[i]) == 0)
			return true;
	return false;
}

/* Unparsable addresses are skipped, as the resolver skips them; a line is
 * read whole, however long (a long `search` line is legitimate). */
long resolv_scan(struct text *t, const char *keyword, const char *const *known,
		 enum server_type type, struct host_facts *out, int *stub)
{
	long n = 0, foreign = 0;
	char *line;

	while ((line = text_next_line(t))) {
		char *save, *word = strtok_r(line, " \t\r", &save), *value;
		struct ip_prefix ip;

		n++;
		if (!foreign && !known_word(word, known))
			foreign = n;
		if (!word || strcmp(word, keyword) != 0 || !(value = strtok_r(NULL, " \t\r", &save)))
			continue;
		value[strcspn(value, "%")] = '\0'; /* fe80::1%eth0: the zone is not ours */
		if (ip_parse_host(value, &ip) < 0)
			continue;
		if (stub && ip_is_loopback(&ip)) {
			(*stub)++;
			continue;
		}
		facts_add_server(out, type, &ip);
	}
	return foreign;
}

/* Reads root+path into out's servers of type; a file that is not a
 * resolv.conf (a line it does not know: garbage must not pass for a file
 * with no servers) or not a small regular file is refused. */
static void read_file(const char *root, const char *path, const char *keyword,
		      const char *const *known, enum server_type type, struct host_facts *out,
		      int *stub)
{
	char full[4096];
	struct text t;
	struct err e;
	int rc;
	long bad;

	snprintf(full, sizeof(full), "%s%s", root, path);
	if ((rc = text_file_read(full, &t, &e)) < 0)
		facts_refuse(out, type, e.msg);
	if (rc <= 0)
		return;
	if ((bad = resolv_scan(&t, keyword, known, type, out, stub)) > 0) {
		err_set(&e, "%s: line %ld is not a resolv.conf line", full, bad);
		facts_refuse(out, type, e.msg);
	}
	text_free(&t);
}

int facts_read_resolv(const char *root, struct host_facts *out, struct err *e)
{
	int stub = 0;

	(void)e;
	read_file(root, FACTS_RESOLV_CONF, "nameserver", resolv_keywords, SRV_DNS, out, &stub);
	/* A loopback resolver forwards to servers that are the real DNS servers
	 * of the host; systemd-resolved lists them in its uplink file. */
	if (stub && out->n_servers[SRV_DNS] == 0 && !(out->refused_types & 1u << SRV_DNS))
		read_file(root, FACTS_RESOLVED_UPLINK, "nameserver", resolv_keywords, SRV_DNS, out,
			  NULL);
	return 0;
}

int facts_read_wins(const char *root, struct host_facts *out, struct err *e)
{
	(void)e;
	read_file(root, FACTS_WINS_CONF, "wins", NULL, SRV_WINS, out, NULL);
	return 0;
}
