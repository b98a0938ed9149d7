/* resolv.c - DNS servers from resolv.conf (or, behind systemd-resolved's
 * stub, from the uplink file it keeps) and WINS servers from ipsecfw's own
 * configuration file. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

static FILE *open_under(const char *root, const char *path)
{
	char full[4096];

	snprintf(full, sizeof(full), "%s%s", root, path);
	return fopen(full, "r");
}

/* Reads "KEYWORD ADDRESS" lines; unparsable addresses are skipped, as the
 * resolver skips them. `stub` counts addresses of the 127.0.0.53 stub. */
static void read_servers(FILE *in, const char *keyword, enum server_type t,
			 struct host_facts *out, int *stub)
{
	char line[1024];

	while (fgets(line, sizeof(line), in)) {
		char *save, *word = strtok_r(line, " \t\r\n", &save), *value;
		struct ip_prefix ip;

		if (!word || strcmp(word, keyword) != 0 || !(value = strtok_r(NULL, " \t\r\n", &save)))
			continue;
		value[strcspn(value, "%")] = '\0'; /* fe80::1%eth0: the zone is not ours */
		if (ip_parse_host(value, &ip) < 0)
			continue;
		if (stub && ip_is_loopback(&ip)) {
			(*stub)++;
			continue;
		}
		facts_add_server(out, t, &ip);
	}
}

/* The first line of in that resolv.conf(5) does not know, 0 when none:
 * a file replaced by garbage must not pass for one with no servers. */
static long foreign_line(FILE *in)
{
	static const char *const keywords[] = { "nameserver", "domain", "search", "sortlist",
						"options" };
	char line[1024];
	long n = 0;

	while (fgets(line, sizeof(line), in)) {
		char *save, *word = strtok_r(line, " \t\r\n", &save);
		bool known = !word || word[0] == '#' || word[0] == ';';
		n++;
		for (size_t i = 0; !known && i < sizeof(keywords) / sizeof(keywords[0]); i++)
			known = strcmp(word, keywords[i]) == 0;
		if (!known) {
			rewind(in);
			return n;
		}
	}
	rewind(in);
	return 0;
}

int facts_read_resolv(const char *root, struct host_facts *out, struct err *e)
{
	FILE *in = open_under(root, FACTS_RESOLV_CONF);
	int stub = 0;
	long bad;

	(void)e;
	if (in && (bad = foreign_line(in)) > 0) {
		snprintf(out->refused, sizeof(out->refused),
			 "%s%s: line %ld is not a resolv.conf line", root, FACTS_RESOLV_CONF, bad);
		out->refused_type = SRV_DNS;
		fclose(in);
		return 0;
	}
	if (in) {
		read_servers(in, "nameserver", SRV_DNS, out, &stub);
		fclose(in);
	}
	/* A loopback resolver forwards to servers that are the real DNS servers
	 * of the host; systemd-resolved lists them in its uplink file. */
	if (stub && out->n_servers[SRV_DNS] == 0 && (in = open_under(root, FACTS_RESOLVED_UPLINK))) {
		read_servers(in, "nameserver", SRV_DNS, out, NULL);
		fclose(in);
	}
	return 0;
}

int facts_read_wins(const char *root, struct host_facts *out, struct err *e)
{
	FILE *in = open_under(root, FACTS_WINS_CONF);

	(void)e;
	if (!in)
		return 0;
	read_servers(in, "wins", SRV_WINS, out, NULL);
	fclose(in);
	return 0;
}
