// SPDX-License-Identifier: MIT
/* cmd_analyze.c - `ipsecfw analyze`: findings with the filters involved and
 * a witness packet ready for `ipsecfw test`. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "engine/analyze.h"
#include "queries.h"

static const char *what(enum finding_kind k)
{
	switch (k) {
	case FIND_SHADOWED:
		return "can never decide: a more specific filter covers it";
	case FIND_CONFLICT:
		return "overlaps an equally specific filter with a different action; "
		       "only the severity tie-break decides";
	case FIND_REDUNDANT:
		return "removing it changes no verdict";
	case FIND_EMPTY:
		break;
	}
	return "expands to nothing with the current host facts (no address for me or the server type)";
}

static json_t *finding_json(const struct ftable *t, const struct finding *f)
{
	char origin[1200], args[256];
	json_t *o;

	ftable_filter_origin(t, f->filter, false, origin, sizeof(origin));
	o = json_pack("{s:s, s:s, s:I, s:s}", "kind", finding_kind_name(f->kind), "filter", origin,
		      "filter_id", (json_int_t)t->filters[f->filter].f.id, "meaning", what(f->kind));
	if (f->entry >= 0) {
		json_object_set_new(o, "entry", entry_json(t, (size_t)f->entry, f->witness.inbound));
		packet_test_args(&f->witness, args, sizeof(args));
		json_object_set_new(o, "witness", json_string(args));
	}
	if (f->other >= 0)
		json_object_set_new(o, "other", entry_json(t, (size_t)f->other, f->witness.inbound));
	return o;
}

static void finding_print(const struct ftable *t, const struct finding *f)
{
	char origin[1200], args[256];

	ftable_filter_origin(t, f->filter, false, origin, sizeof(origin));
	printf("%s: %s\n  %s\n", finding_kind_name(f->kind), origin, what(f->kind));
	if (f->entry >= 0)
		entry_print(stdout, t, (size_t)f->entry, f->witness.inbound, "    ");
	if (f->other >= 0) {
		printf("  %s:\n", f->kind == FIND_SHADOWED	 ? "covered by"
				  : f->kind == FIND_CONFLICT ? "conflicts with"
							     : "decided the same way by");
		entry_print(stdout, t, (size_t)f->other, f->witness.inbound, "    ");
	}
	if (f->entry >= 0) {
		packet_test_args(&f->witness, args, sizeof(args));
		printf("  witness: ipsecfw test %s\n", args);
	}
}

int cmd_analyze(const struct view *v, int argc, char **argv, const struct query_opts *o)
{
	struct finding *list;
	size_t n;
	struct err e;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "ipsecfw: analyze takes no arguments\n");
		return 2;
	}
	if (analyze(&v->table, &list, &n, &e) < 0) {
		fprintf(stderr, "ipsecfw: analyze: %s\n", e.msg);
		return 1;
	}
	if (o->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, finding_json(&v->table, &list[i]));
		json_print(arr);
	} else {
		for (size_t i = 0; i < n; i++)
			finding_print(&v->table, &list[i]);
		printf("%zu finding%s in %zu specific filters\n", n, n == 1 ? "" : "s",
		       v->table.n_entries);
	}
	free(list);
	return 0;
}
