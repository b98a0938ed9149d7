/* leases.c - the DHCP server that gave this host its lease, from the lease
 * files of dhclient, systemd-networkd and NetworkManager. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

/* dhclient: "option dhcp-server-identifier 192.0.2.1;" inside lease { } blocks;
 * the last lease in the file is the current one. */
static void read_dhclient(FILE *in, struct host_facts *out)
{
	char line[1024], last[64] = "";
	const char *key = "option dhcp-server-identifier ";
	struct ip_prefix ip;

	while (fgets(line, sizeof(line), in)) {
		char *p = line + strspn(line, " \t");
		if (strncmp(p, key, strlen(key)) != 0)
			continue;
		p += strlen(key);
		p[strcspn(p, "; \t\r\n")] = '\0';
		snprintf(last, sizeof(last), "%s", p);
	}
	if (last[0] && ip_parse_host(last, &ip) == 0)
		facts_add_server(out, SRV_DHCP, &ip);
}

/* systemd-networkd and NetworkManager's internal client: "SERVER_ADDRESS=". */
static void read_keyfile(FILE *in, struct host_facts *out)
{
	char line[1024];
	struct ip_prefix ip;

	while (fgets(line, sizeof(line), in)) {
		if (strncmp(line, "SERVER_ADDRESS=", 15) != 0)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		if (ip_parse_host(line + 15, &ip) == 0)
			facts_add_server(out, SRV_DHCP, &ip);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void read_dir(const char *root, const char *dir, bool (*wanted)(const char *),
		     void (*reader)(FILE *, struct host_facts *), struct host_facts *out)
{
	char path[4096];
	struct dirent **names;
	int n;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	/* alphasort: the same files in the same order, whatever readdir says */
	if ((n = scandir(path, &names, NULL, alphasort)) < 0)
		return;
	for (int i = 0; i < n; i++) {
		FILE *in;
		if (names[i]->d_name[0] != '.' && wanted(names[i]->d_name)) {
			snprintf(path, sizeof(path), "%s%s/%s", root, dir, names[i]->d_name);
			if ((in = fopen(path, "r"))) {
				reader(in, out);
				fclose(in);
			}
		}
		free(names[i]);
	}
	free(names);
}

static bool is_dhclient_lease(const char *name)
{
	return ends_with(name, ".leases") || ends_with(name, ".lease");
}

static bool is_nm_internal_lease(const char *name)
{
	return strncmp(name, "internal-", 9) == 0 && ends_with(name, ".lease");
}

static bool is_nm_dhclient_lease(const char *name)
{
	return strncmp(name, "dhclient", 8) == 0 && ends_with(name, ".lease");
}

static bool any_name(const char *name)
{
	(void)name;
	return true;
}

int facts_read_leases(const char *root, struct host_facts *out, struct err *e)
{
	(void)e;
	read_dir(root, FACTS_DHCLIENT_DIR, is_dhclient_lease, read_dhclient, out);
	read_dir(root, FACTS_NETWORKD_DIR, any_name, read_keyfile, out);
	read_dir(root, FACTS_NM_DIR, is_nm_internal_lease, read_keyfile, out);
	read_dir(root, FACTS_NM_DIR, is_nm_dhclient_lease, read_dhclient, out);
	return 0;
}
