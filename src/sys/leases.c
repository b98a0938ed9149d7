// SPDX-License-Identifier: MIT
/* leases.c - the DHCP server that gave this host its lease, from the lease
 * files of dhclient, systemd-networkd and NetworkManager. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

/* dhclient: "option dhcp-server-identifier 192.0.2.1;" inside lease { } blocks;
 * the last lease in the file is the current one. */
void lease_scan_dhclient(struct text *t, struct host_facts *out)
{
	static const char key[] = "option dhcp-server-identifier ";
	const char *last = NULL; /* into t's lines, which stay in place */
	struct ip_prefix ip;
	char *line;

	while ((line = text_next_line(t))) {
		char *p = line + strspn(line, " \t");
		if (strncmp(p, key, strlen(key)) != 0)
			continue;
		p += strlen(key);
		p[strcspn(p, "; \t\r")] = '\0';
		last = p;
	}
	if (last && ip_parse_host(last, &ip) == 0)
		facts_add_server(out, SRV_DHCP, &ip);
}

/* systemd-networkd and NetworkManager's internal client: "SERVER_ADDRESS=". */
void lease_scan_keyfile(struct text *t, struct host_facts *out)
{
	struct ip_prefix ip;
	char *line;

	while ((line = text_next_line(t))) {
		if (strncmp(line, "SERVER_ADDRESS=", 15) != 0)
			continue;
		line[strcspn(line, "\r")] = '\0';
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
		     void (*scan)(struct text *, struct host_facts *), struct host_facts *out)
{
	char path[4096];
	struct dirent **names;
	struct text t;
	struct err e;
	int n;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	/* alphasort: the same files in the same order, whatever readdir says */
	if ((n = scandir(path, &names, NULL, alphasort)) < 0)
		return;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && wanted(names[i]->d_name)) {
			snprintf(path, sizeof(path), "%s%s/%s", root, dir, names[i]->d_name);
			int rc = text_file_read(path, &t, &e);
			if (rc < 0)
				facts_refuse(out, SRV_DHCP, e.msg);
			if (rc > 0)
				scan(&t, out);
			text_free(&t);
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
	read_dir(root, FACTS_DHCLIENT_DIR, is_dhclient_lease, lease_scan_dhclient, out);
	read_dir(root, FACTS_NETWORKD_DIR, any_name, lease_scan_keyfile, out);
	read_dir(root, FACTS_NM_DIR, is_nm_internal_lease, lease_scan_keyfile, out);
	read_dir(root, FACTS_NM_DIR, is_nm_dhclient_lease, lease_scan_dhclient, out);
	return 0;
}
