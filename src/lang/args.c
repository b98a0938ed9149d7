// SPDX-License-Identifier: MIT
#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/proto.h"

static void list_tags(const struct param *params, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", params[i].name);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

/* Exact tag, else the first parameter, in the command's declared (usage)
 * order, that the tag is a prefix of: netsh matches each tag against the
 * command's tag table in order with MatchToken (a case-insensitive prefix
 * test), so `filter=` in `add rule` is filterlist=, listed before
 * filteraction=. */
static int match_tag(const struct param *params, size_t n, const char *tag, struct err *e)
{
	size_t len = strlen(tag);
	char names[256];

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(params[i].name, tag) == 0)
			return (int)i;
	for (size_t i = 0; i < n; i++)
		if (strncasecmp(params[i].name, tag, len) == 0)
			return (int)i;
	list_tags(params, n, names, sizeof(names));
	if (n == 0)
		return err_set(e, "unexpected tag '%s': this command takes no arguments", tag);
	return err_set(e, "unknown tag '%s' (expected %s)", tag, names);
}

/* " (the word 'x' was read as tag, by position)" when the value of an
 * optional parameter came untagged: a stray word (an unquoted name's
 * second half) lands on a tag the user never wrote. Required parameters
 * (name, filterlist, srcaddr) are given by position as a matter of course. */
static void note_position(const struct bound *b, int p, struct err *e)
{
	size_t used = strlen(e->msg);

	if (p < 0 || !b->positional[p] || (b->params[p].flags & P_REQUIRED) ||
	    used >= sizeof(e->msg) - 1)
		return;
	snprintf(e->msg + used, sizeof(e->msg) - used, " (the word '%.64s' was read as %s, by position)",
		 b->value[p], b->params[p].name);
}

int args_bind(const struct param *params, size_t n_params, const struct tokens *toks,
	      size_t first, struct bound *b, int *err_col, struct err *e)
{
	size_t cursor = 0;

	memset(b, 0, sizeof(*b));
	b->params = params;
	b->n_params = n_params;
	for (size_t t = first; t < toks->n; t++) {
		const struct token *tok = &toks->v[t];
		int p;

		*err_col = tok->col;
		if (tok->tag) {
			if ((p = match_tag(params, n_params, tok->tag, e)) < 0)
				return -1;
		} else {
			p = -1;
			for (size_t i = cursor; i < n_params; i++) {
				if (!(params[i].flags & P_TAGGED) && !b->value[i]) {
					p = (int)i;
					break;
				}
			}
			if (p < 0)
				return err_set(e, "unexpected value '%.64s': no parameter is left to "
						  "take an untagged word", tok->value);
		}
		if (b->value[p] && !(params[p].flags & P_REPEAT)) {
			err_set(e, "tag '%s' is given twice", params[p].name);
			note_position(b, p, e);
			return -1;
		}
		if (b->n_seq == ARGS_SEQ_MAX)
			return err_set(e, "too many arguments");
		b->value[p] = tok->value;
		b->col[p] = tok->value_col;
		b->positional[p] = !tok->tag;
		b->seq[b->n_seq].param = p;
		b->seq[b->n_seq].value = tok->value;
		b->seq[b->n_seq++].col = tok->value_col;
		cursor = (size_t)p + 1;
	}
	for (size_t i = 0; i < n_params; i++) {
		if ((params[i].flags & P_REQUIRED) && !b->value[i]) {
			*err_col = toks->n ? toks->v[toks->n - 1].col : 1;
			return err_set(e, "%s: required", params[i].name);
		}
	}
	return 0;
}

static int find_param(const struct bound *b, const char *name)
{
	for (size_t i = 0; i < b->n_params; i++)
		if (strcmp(b->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool args_declares(const struct bound *b, const char *name)
{
	return find_param(b, name) >= 0;
}

int args_index(const struct bound *b, const char *name)
{
	int i = find_param(b, name);

	if (i >= 0)
		return i;
	fprintf(stderr, "ipsecfw: internal error: no parameter '%s'\n", name);
	abort();
}

const char *args_get(const struct bound *b, const char *name)
{
	return b->value[args_index(b, name)];
}

bool args_has(const struct bound *b, const char *name)
{
	return args_get(b, name) != NULL;
}

int args_fail(struct bound *b, const char *name, struct err *e)
{
	int i = args_index(b, name);

	b->err_col = b->col[i];
	note_position(b, i, e);
	return err_prefix(e, "%s", name);
}

int parse_yes_no(const char *text, bool *out)
{
	if (!strcasecmp(text, "yes") || !strcasecmp(text, "y")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(text, "no") || !strcasecmp(text, "n")) {
		*out = false;
		return 0;
	}
	return -1;
}

int args_bool(struct bound *b, const char *name, bool *out, struct err *e)
{
	const char *v = args_get(b, name);

	if (!v)
		return 0;
	if (parse_yes_no(v, out) < 0) {
		err_set(e, "expected yes or no, not '%.64s'", v);
		return args_fail(b, name, e);
	}
	return 0;
}

int args_long(struct bound *b, const char *name, long lo, long hi, long *out, struct err *e)
{
	const char *v = args_get(b, name);

	if (!v)
		return 0;
	if (int_parse(v, lo, hi, out) < 0) {
		err_set(e, "expected an integer %ld..%ld, not '%.64s'", lo, hi, v);
		return args_fail(b, name, e);
	}
	return 0;
}

int args_word(struct bound *b, const char *name, const char *const *words, int *out,
	      struct err *e)
{
	const char *v = args_get(b, name);
	char expected[256];
	size_t used = 0;

	if (!v)
		return 0;
	expected[0] = '\0';
	for (int i = 0; words[i]; i++) {
		if (strcasecmp(v, words[i]) == 0) {
			*out = i;
			return 0;
		}
		int k = snprintf(expected + used, sizeof(expected) - used, "%s%s", i ? ", " : "",
				 words[i]);
		if (k > 0 && (size_t)k < sizeof(expected) - used)
			used += (size_t)k;
	}
	err_set(e, "expected %s, not '%.64s'", expected, v);
	return args_fail(b, name, e);
}
