// SPDX-License-Identifier: MIT
/* cmd_ike.c - `ipsecfw show ike`: the negotiate rules in force as the
 * strongSwan connections they map to, in swanctl.conf syntax (keys
 * hidden), or as JSON with -j; `ipsecfw ike load` loads them into charon
 * over VICI; `ipsecfw ike sas` lists charon's main and quick mode SAs. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ike/load.h"
#include "ike/mapping.h"
#include "ike/sas.h"
#include "agent_client.h"
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

	if (ike_map(&v->rs, &v->table, &v->facts, NULL, 0, &cfg, &e) < 0) {
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

/* The soft fallbacks to clear the agent of run_dir has in force (none
 * when no agent runs), so that a load by hand keeps their pass policies:
 * the number in *out, or -1 and e when the agent does not say. */
static int agent_fallbacks(const char *run_dir, struct ike_fallback *out, size_t max,
			   struct err *e)
{
	json_t *list, *fb;
	size_t i, n = 0;

	if (!agent_client_running(run_dir))
		return 0;
	if (!(list = agent_client_status(run_dir, "fallbacks", e)))
		return err_prefix(e, "the policy agent's soft fallbacks to clear");
	json_array_foreach (list, i, fb) {
		const char *conn = json_string_value(json_object_get(fb, "rule"));
		const char *peer = json_string_value(json_object_get(fb, "peer"));
		if (!conn || !peer || n == max)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].conn, sizeof(out[n].conn), "%.63s", conn);
		snprintf(out[n].peer, sizeof(out[n].peer), "%.63s", peer);
		n++;
	}
	json_decref(list);
	return (int)n;
}

/* `ipsecfw ike load`: the mapping loaded into charon, with the agent's
 * soft fallbacks to clear (their "-clear" connections stay). */
static int ike_load_cmd(struct db *db, const struct facts_sources *src, const char *run_dir,
			const char *url, bool json)
{
	struct ike_fallback fb[64];
	struct view v;
	struct ike_config cfg;
	struct ike_load_result r;
	struct err e;
	int rc = 0, n_fb;

	if ((n_fb = agent_fallbacks(run_dir, fb, sizeof(fb) / sizeof(fb[0]), &e)) < 0) {
		fprintf(stderr, "ipsecfw: ike load: %s\n", e.msg);
		return 1;
	}
	if (view_open(&v, db, src, &e) < 0) {
		fprintf(stderr, "ipsecfw: ike load: %s\n", e.msg);
		return 1;
	}
	if (ike_map(&v.rs, &v.table, &v.facts, fb, (size_t)n_fb, &cfg, &e) < 0) {
		fprintf(stderr, "ipsecfw: ike load: %s\n", e.msg);
		view_close(&v);
		return 1;
	}
	if (ike_load(&cfg, url, &r, &e) < 0) {
		fprintf(stderr, "ipsecfw: ike load: %s\n", e.msg);
		rc = 1;
	} else if (json) {
		json_print(json_pack("{s:I, s:I, s:I}", "loaded", (json_int_t)r.loaded, "unloaded",
				     (json_int_t)r.unloaded, "not_mapped", (json_int_t)r.skipped));
	} else {
		printf("ike load: %zu connection(s) loaded, %zu unloaded, %zu not mapped%s\n",
		       r.loaded, r.unloaded, r.skipped,
		       r.skipped ? " (ipsecfw show ike says why)" : "");
	}
	ike_config_free(&cfg);
	view_close(&v);
	return rc;
}

/* `ipsecfw ike sas`: charon's SAs (list-sas), main mode then quick mode. */
static int ike_sas_cmd(const char *url, bool json)
{
	json_t *list;
	struct err e;

	if (ike_sas_list(url, &list, &e) < 0) {
		fprintf(stderr, "ipsecfw: ike sas: %s\n", e.msg);
		return 1;
	}
	if (json)
		json_print(list);
	else {
		ike_sas_print(list, stdout, true, true);
		json_decref(list);
	}
	return 0;
}

int cmd_ike(struct db *db, const struct facts_sources *src, const char *run_dir, bool json,
	    int argc, char **argv)
{
	const char *env = getenv("IPSECFW_VICI");
	const char *kernel = getenv("IPSECFW_KERNEL");
	bool named = argc == 3 && strcmp(argv[1], "--vici") == 0;
	const char *url = named ? argv[2] : ike_socket_default();

	if ((argc != 1 && !named) || (strcmp(argv[0], "load") != 0 && strcmp(argv[0], "sas") != 0)) {
		fprintf(stderr, "ipsecfw: want: ike load|sas [--vici unix:///PATH]\n");
		return 2;
	}
	/* Tests run with the kernel off: then only a charon they name. */
	if (kernel && strcmp(kernel, "off") == 0 && !named && !(env && *env)) {
		fprintf(stderr, "ipsecfw: ike %s: IPSECFW_KERNEL=off: charon is not touched "
				"(name one with --vici or IPSECFW_VICI)\n", argv[0]);
		return 1;
	}
	return strcmp(argv[0], "load") == 0 ? ike_load_cmd(db, src, run_dir, url, json)
					    : ike_sas_cmd(url, json);
}
