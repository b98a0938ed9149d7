// SPDX-License-Identifier: MIT
/* cmd_show.c - `ipsecfw show facts` (what me, DNS, WINS, DHCP and gateway
 * stand for now) and `ipsecfw show table` (the compiled FilterTable). */
#include <arpa/inet.h>

#include "queries.h"

void json_print(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(v);
}

static const char *server_key(enum server_type t)
{
	static const char *const keys[] = { [SRV_DNS] = "dns", [SRV_WINS] = "wins",
					    [SRV_DHCP] = "dhcp", [SRV_GATEWAY] = "gateway" };
	return keys[t];
}

int cmd_show_facts(const struct view *v, const struct query_opts *o)
{
	const struct host_facts *f = &v->facts;
	char a[INET6_ADDRSTRLEN];

	if (o->json) {
		json_t *root = json_object(), *addrs = json_array();
		for (size_t i = 0; i < f->n_addrs; i++) {
			char buf[INET6_ADDRSTRLEN + 8];
			inet_ntop(f->addrs[i].ip.family, f->addrs[i].ip.bytes, a, sizeof(a));
			snprintf(buf, sizeof(buf), "%s/%u", a, f->addrs[i].ip.len);
			json_array_append_new(addrs, json_pack("{s:s, s:i, s:b}", "address", buf,
							       "ifindex", f->addrs[i].ifindex,
							       "dialup", f->addrs[i].dialup));
		}
		json_object_set_new(root, "me", addrs);
		json_object_set_new(root, "refused",
				    f->refused[0] ? json_string(f->refused) : json_null());
		for (int t = SRV_DNS; t <= SRV_GATEWAY; t++) {
			json_t *list = json_array();
			for (size_t i = 0; i < f->n_servers[t]; i++) {
				inet_ntop(f->servers[t][i].family, f->servers[t][i].bytes, a, sizeof(a));
				json_array_append_new(list, json_string(a));
			}
			json_object_set_new(root, server_key((enum server_type)t), list);
		}
		json_print(root);
		return 0;
	}
	for (size_t i = 0; i < f->n_addrs; i++) {
		inet_ntop(f->addrs[i].ip.family, f->addrs[i].ip.bytes, a, sizeof(a));
		printf("me       %s/%u%s\n", a, f->addrs[i].ip.len, f->addrs[i].dialup ? " dialup" : "");
	}
	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++)
		for (size_t i = 0; i < f->n_servers[t]; i++) {
			inet_ntop(f->servers[t][i].family, f->servers[t][i].bytes, a, sizeof(a));
			printf("%-8s %s\n", server_key((enum server_type)t), a);
		}
	if (f->refused[0]) {
		printf("refused  %s (no servers of type", f->refused);
		for (int t = SRV_DNS; t <= SRV_GATEWAY; t++)
			if (f->refused_types & 1u << t)
				printf(" %s", server_key((enum server_type)t));
		printf(")\n");
	}
	return 0;
}

int cmd_show_table(const struct view *v, const struct query_opts *o)
{
	if (o->json) {
		json_t *list = json_array();
		for (size_t i = 0; i < v->table.n_entries; i++) {
			json_t *in = entry_json(&v->table, i, true);
			const struct fentry *en = &v->table.entries[i];
			if (en->action_in != en->action_out)
				json_object_set_new(in, "action_out",
						    json_string(action_name((enum action)en->action_out)));
			json_array_append_new(list, in);
		}
		json_print(list);
		return 0;
	}
	ftable_write(&v->table, stdout);
	return 0;
}
