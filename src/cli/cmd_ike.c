/* cmd_ike.c - `ipsecfw show ike`: the negotiate rules in force as the
 * strongSwan connections they map to, in swanctl.conf syntax (keys
 * hidden), or as JSON with -j. */
#include <jansson.h>
#include <string.h>

#include "ike/mapping.h"
#include "queries.h"

static json_t *notes_json(const char *notes)
{
	json_t *list = json_array();
	char copy[sizeof(((struct ike_conn *)0)->notes)], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", notes);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(list, json_string(line));
	return list;
}

int cmd_show_ike(const struct view *v, const struct query_opts *o)
{
	struct ike_config cfg;
	struct err e;

	if (ike_map(&v->rs, &v->table, &cfg, &e) < 0) {
		fprintf(stderr, "ipsecfw: show ike: %s\n", e.msg);
		return 1;
	}
	if (o->json) {
		json_t *list = json_array();
		for (size_t i = 0; i < cfg.n; i++) {
			const struct ike_conn *c = &cfg.conns[i];
			json_array_append_new(list,
					      json_pack("{s:s, s:s, s:b, s:b, s:o}", "name", c->name,
							"origin", c->origin, "mapped", c->mapped,
							"psk", c->mapped && c->secret.n > 0, "notes",
							notes_json(c->notes)));
		}
		json_print(list);
	} else {
		ike_write_conf(&cfg, stdout);
	}
	ike_config_free(&cfg);
	return 0;
}
