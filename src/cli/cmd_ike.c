/* cmd_ike.c - `ipsecfw show ike`: the negotiate rules in force as the
 * strongSwan connections they map to, in swanctl.conf syntax (keys
 * hidden), or as JSON with -j; `ipsecfw ike load` loads them into charon
 * over VICI; `ipsecfw ike sas` lists charon's main and quick mode SAs. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/load.h"
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

	if (ike_map(&v->rs, &v->table, &v->facts, &cfg, &e) < 0) {
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

/* `ipsecfw ike load`: the mapping loaded into charon. */
static int ike_load_cmd(struct db *db, const struct facts_sources *src, const char *url, bool json)
{
	struct view v;
	struct ike_config cfg;
	struct ike_load_result r;
	struct err e;
	int rc = 0;

	if (view_open(&v, db, src, &e) < 0) {
		fprintf(stderr, "ipsecfw: ike load: %s\n", e.msg);
		return 1;
	}
	if (ike_map(&v.rs, &v.table, &v.facts, &cfg, &e) < 0 || ike_load(&cfg, url, &r, &e) < 0) {
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
	if (rc == 0)
		ike_config_free(&cfg);
	view_close(&v);
	return rc;
}

/* One list-sa event: IKE SAs (main mode), each with its CHILD_SAs (quick
 * mode). */
static const char *const ike_keys[] = { "uniqueid", "version", "state", "local-host",
					"remote-host", "encr-alg", "integ-alg", "dh-group",
					"established", NULL };
static const char *const child_keys[] = { "uniqueid", "state", "protocol", "mode",
					  "encr-alg", "integ-alg", "bytes-in", "bytes-out",
					  "install-time", NULL };

static json_t *section_json(const struct vici_msg *m, size_t at, const char *const *keys)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(m->elems[at].name));
	for (int k = 0; keys[k]; k++) {
		const char *v = vici_get_in(m, at, keys[k]);
		if (v)
			json_object_set_new(o, keys[k], json_string(v));
	}
	return o;
}

/* The items of the list `name` directly in the section at `at`. */
static json_t *list_json(const struct vici_msg *m, size_t at, const char *name)
{
	json_t *a = json_array();

	for (size_t i = at + 1; i < m->n && m->elems[i].type != VICI_SECTION_END;
	     i = vici_skip(m, i)) {
		if (m->elems[i].type != VICI_LIST_START || strcmp(m->elems[i].name, name) != 0)
			continue;
		for (size_t j = i + 1; j < m->n && m->elems[j].type == VICI_LIST_ITEM; j++)
			json_array_append_new(a, json_string((const char *)m->elems[j].value));
	}
	return a;
}

static int collect_sa(const struct vici_msg *ev, void *ctx)
{
	json_t *list = ctx;

	for (size_t i = 0; i < ev->n; i = vici_skip(ev, i)) {
		if (ev->elems[i].type != VICI_SECTION_START)
			continue;
		json_t *sa = section_json(ev, i, ike_keys);
		json_t *children = json_array();
		for (size_t j = i + 1; j < ev->n && ev->elems[j].type != VICI_SECTION_END;
		     j = vici_skip(ev, j)) {
			if (ev->elems[j].type != VICI_SECTION_START ||
			    strcmp(ev->elems[j].name, "child-sas") != 0)
				continue;
			for (size_t k = j + 1; k < ev->n && ev->elems[k].type != VICI_SECTION_END;
			     k = vici_skip(ev, k)) {
				if (ev->elems[k].type != VICI_SECTION_START)
					continue;
				json_t *c = section_json(ev, k, child_keys);
				json_object_set_new(c, "local-ts", list_json(ev, k, "local-ts"));
				json_object_set_new(c, "remote-ts", list_json(ev, k, "remote-ts"));
				json_array_append_new(children, c);
			}
		}
		json_object_set_new(sa, "child-sas", children);
		json_array_append_new(list, sa);
	}
	return 0;
}

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static void ts_print(json_t *list)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) printf("%s%s", i ? "," : "", json_string_value(v));
	if (!json_array_size(list))
		printf("-");
}

/* `ipsecfw ike sas`: charon's SAs (list-sas), main mode then quick mode. */
static int ike_sas_cmd(const char *url, bool json)
{
	json_t *list = json_array();
	struct vici_msg resp;
	struct err e;
	size_t i;
	json_t *sa;
	int fd;

	if ((fd = vici_connect(url, 5000, &e)) < 0 ||
	    vici_call(fd, "list-sas", NULL, "list-sa", collect_sa, list, &resp, &e) < 0) {
		fprintf(stderr, "ipsecfw: ike sas: %s\n", e.msg);
		if (fd >= 0)
			close(fd);
		json_decref(list);
		return 1;
	}
	close(fd);
	vici_msg_free(&resp);
	if (json) {
		json_print(list);
		return 0;
	}
	printf("main mode SAs: %zu\n", json_array_size(list));
	json_array_foreach(list, i, sa) {
		size_t j;
		json_t *c;
		printf("%s #%s %s IKEv%s %s <-> %s %s/%s/%s\n", str_of(sa, "name"), str_of(sa, "uniqueid"),
		       str_of(sa, "state"), str_of(sa, "version"), str_of(sa, "local-host"),
		       str_of(sa, "remote-host"), str_of(sa, "encr-alg"), str_of(sa, "integ-alg"),
		       str_of(sa, "dh-group"));
		json_array_foreach(json_object_get(sa, "child-sas"), j, c) {
			printf("    quick mode %s #%s %s %s %s %s/%s ", str_of(c, "name"),
			       str_of(c, "uniqueid"), str_of(c, "state"), str_of(c, "protocol"),
			       str_of(c, "mode"), str_of(c, "encr-alg"), str_of(c, "integ-alg"));
			ts_print(json_object_get(c, "local-ts"));
			printf(" <-> ");
			ts_print(json_object_get(c, "remote-ts"));
			printf(" in %s out %s bytes\n", str_of(c, "bytes-in"), str_of(c, "bytes-out"));
		}
	}
	json_decref(list);
	return 0;
}

int cmd_ike(struct db *db, const struct facts_sources *src, bool json, int argc, char **argv)
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
	return strcmp(argv[0], "load") == 0 ? ike_load_cmd(db, src, url, json)
					    : ike_sas_cmd(url, json);
}
