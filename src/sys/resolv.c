/* resolv.c - DNS servers from resolv.conf (or, behind systemd-resolved's
 * stub, from the uplink file it keeps) and WINS servers from ipsecfw's own
 * configuration file. */
#include <errno.h>
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

int facts_read_resolv(const char *root, struct host_facts *out, struct err *e)
{
	FILE *in = open_under(root, FACTS_RESOLV_CONF);
	int stub = 0;

	(void)e;
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
