// SPDX-License-Identifier: MIT
/* sas.c - charon's SAs over VICI (list-sas), as JSON, and printed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/sas.h"

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

static void ts_print(FILE *out, json_t *list)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) fprintf(out, "%s%s", i ? "," : "", json_string_value(v));
	if (!json_array_size(list))
		fputc('-', out);
}

int ike_sas_list(const char *url, json_t **out, struct err *e)
{
	json_t *list = json_array();
	struct vici_msg resp;
	int fd;

	if ((fd = vici_connect(url, 5000, e)) < 0)
		goto fail;
	if (vici_call(fd, "list-sas", NULL, "list-sa", collect_sa, list, &resp, e) < 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	vici_msg_free(&resp);
	*out = list;
	return 0;
fail:
	json_decref(list);
	return -1;
}

size_t ike_sas_count_children(json_t *sas)
{
	size_t n = 0, i;
	json_t *sa;

	json_array_foreach(sas, i, sa) n += json_array_size(json_object_get(sa, "child-sas"));
	return n;
}

void ike_sas_print(json_t *sas, FILE *out, bool main_mode, bool quick_mode)
{
	size_t i;
	json_t *sa;

	if (main_mode)
		fprintf(out, "main mode SAs: %zu\n", json_array_size(sas));
	else
		fprintf(out, "quick mode SAs: %zu\n", ike_sas_count_children(sas));
	json_array_foreach(sas, i, sa) {
		size_t j;
		json_t *c;
		if (main_mode)
			fprintf(out, "%s #%s %s IKEv%s %s <-> %s %s/%s/%s\n", str_of(sa, "name"),
				str_of(sa, "uniqueid"), str_of(sa, "state"), str_of(sa, "version"),
				str_of(sa, "local-host"), str_of(sa, "remote-host"), str_of(sa, "encr-alg"),
				str_of(sa, "integ-alg"), str_of(sa, "dh-group"));
		if (!quick_mode)
			continue;
		json_array_foreach(json_object_get(sa, "child-sas"), j, c) {
			fprintf(out, "%squick mode %s #%s of %s: %s %s %s %s/%s ", main_mode ? "    " : "",
				str_of(c, "name"), str_of(c, "uniqueid"), str_of(sa, "name"),
				str_of(c, "state"), str_of(c, "protocol"), str_of(c, "mode"),
				str_of(c, "encr-alg"), str_of(c, "integ-alg"));
			ts_print(out, json_object_get(c, "local-ts"));
			fprintf(out, " <-> ");
			ts_print(out, json_object_get(c, "remote-ts"));
			fprintf(out, " in %s out %s bytes\n", str_of(c, "bytes-in"), str_of(c, "bytes-out"));
		}
	}
}

void ike_sas_bytes(json_t *sas, unsigned long long *in, unsigned long long *out)
{
	size_t i, j;
	json_t *sa, *c;

	*in = *out = 0;
	json_array_foreach(sas, i, sa) json_array_foreach(json_object_get(sa, "child-sas"), j, c)
	{
		const char *b_in = json_string_value(json_object_get(c, "bytes-in"));
		const char *b_out = json_string_value(json_object_get(c, "bytes-out"));
		*in += b_in ? strtoull(b_in, NULL, 10) : 0;
		*out += b_out ? strtoull(b_out, NULL, 10) : 0;
	}
}

/* The value under key in the top-level section `section` of m, or NULL. */
static const char *value_in(const struct vici_msg *m, const char *section, const char *key)
{
	for (size_t i = 0; i < m->n; i = vici_skip(m, i))
		if (m->elems[i].type == VICI_SECTION_START && !strcmp(m->elems[i].name, section))
			return vici_get_in(m, i, key);
	return NULL;
}

static json_int_t number_in(const struct vici_msg *m, const char *section, const char *key)
{
	const char *v = value_in(m, section, key);
	return v ? (json_int_t)strtoll(v, NULL, 10) : -1;
}

int ike_stats(const char *url, json_t **out, struct err *e)
{
	struct vici_msg resp;
	int fd;

	if ((fd = vici_connect(url, 5000, e)) < 0)
		return -1;
	if (vici_call(fd, "stats", NULL, NULL, NULL, NULL, &resp, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	*out = json_pack("{s:I,s:I,s:s?}", "ike_sas", number_in(&resp, "ikesas", "total"),
			 "ike_sas_half_open", number_in(&resp, "ikesas", "half-open"), "running",
			 value_in(&resp, "uptime", "running"));
	vici_msg_free(&resp);
	return 0;
}
