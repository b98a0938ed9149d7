// SPDX-License-Identifier: MIT
#include "lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "model/err.h"

/* A raw word before the '=' leniency pass joins words. */
struct word {
	char *tag, *value;
	int col, value_col;
	bool quoted;   /* the value had quotes: never a tag, never joined */
	bool lead_eq;  /* written "=value" or "=": the tag is the word before */
	bool bare_tag; /* "tag=" with nothing after the '=' */
};

static int push(struct tokens *t, const struct word *w, struct err *e)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct token *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return err_set(e, "out of memory");
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (struct token){ w->tag, w->value, w->col, w->value_col };
	return 0;
}

static bool is_tag_name(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p))
			return false;
	return true;
}

/* Reads one word at line[*i]: its tag (if written tag=value), its value
 * with the quotes removed, into the buffer at *w. */
static int read_word(const char *line, size_t len, size_t *i, char **w, struct word *out,
		     int *err_col, struct err *e)
{
	char *start = *w;
	bool in_quote = false;
	size_t quote_at = 0;

	memset(out, 0, sizeof(*out));
	out->col = out->value_col = (int)*i + 1;
	if (line[*i] == '=') {
		out->lead_eq = true;
		out->value_col++;
		(*i)++;
	}
	for (; *i < len; (*i)++) {
		char c = line[*i];
		if (c == '"') {
			in_quote = !in_quote;
			out->quoted = true;
			quote_at = *i;
			continue;
		}
		if (!in_quote && (c == ' ' || c == '\t'))
			break;
		if (!in_quote && c == '=' && !out->tag && !out->lead_eq && !out->quoted &&
		    *w > start) {
			*(*w)++ = '\0';
			out->tag = start;
			start = *w;
			out->value_col = (int)*i + 2;
			continue;
		}
		*(*w)++ = c;
	}
	if (in_quote) {
		/* The value is not echoed: it may be a preshared key. */
		*err_col = (int)quote_at + 1;
		if (out->tag)
			return err_set(e, "%.64s: unterminated quote", out->tag);
		return err_set(e, "unterminated quote in an untagged word");
	}
	*(*w)++ = '\0';
	out->value = start;
	if (out->tag && !is_tag_name(out->tag)) {
		*err_col = out->col;
		/* the tag is not quoted: it may come from any file */
		return err_set(e, "bad tag: a tag is letters and digits before '='");
	}
	out->bare_tag = out->tag && !out->quoted && !out->value[0];
	return 0;
}

/* netsh reads `name = web`, `name= web` and `name =web` as name=web: a
 * word "=..." takes the bare word before it as its tag, and a tag left
 * without a value takes the next bare word. */
static int join_equals(struct word *words, size_t *n, int *err_col, struct err *e)
{
	size_t out = 0;

	for (size_t k = 0; k < *n; k++) {
		struct word w = words[k];
		if (w.lead_eq) {
			struct word *prev = out ? &words[out - 1] : NULL;
			if (!prev || prev->tag || prev->quoted || prev->lead_eq) {
				*err_col = w.col;
				return err_set(e, "'=' without a tag");
			}
			if (!is_tag_name(prev->value)) {
				*err_col = prev->col;
				return err_set(e, "bad tag: a tag is letters and digits before '='");
			}
			prev->tag = prev->value;
			prev->value = w.value;
			prev->value_col = w.value_col;
			prev->quoted = w.quoted;
			prev->bare_tag = !w.quoted && !w.value[0];
			continue;
		}
		if (out && words[out - 1].bare_tag && !w.tag) {
			struct word *prev = &words[out - 1];
			prev->value = w.value;
			prev->value_col = w.value_col;
			prev->quoted = w.quoted;
			prev->bare_tag = false;
			continue;
		}
		words[out++] = w;
	}
	*n = out;
	return 0;
}

int lex_line(const char *line, size_t len, struct tokens *out, int *err_col, struct err *e)
{
	struct word *words = NULL;
	size_t n = 0, i = 0;
	char *w;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)line[k];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*err_col = (int)k + 1;
			return err_set(e, "unexpected control character (byte 0x%02x): not a text line", c);
		}
	}
	/* Every token's text fits in len + 1 bytes plus a NUL per token; at
	 * most one word per two bytes. */
	if (!(out->text = malloc(2 * len + 2)) || !(words = malloc((len / 2 + 1) * sizeof(*words)))) {
		tokens_free(out);
		return err_set(e, "out of memory");
	}
	w = out->text;
	while (rc == 0) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		rc = read_word(line, len, &i, &w, &words[n++], err_col, e);
	}
	if (rc == 0)
		rc = join_equals(words, &n, err_col, e);
	for (size_t k = 0; k < n && rc == 0; k++)
		if ((rc = push(out, &words[k], e)) < 0)
			*err_col = words[k].col;
	free(words);
	if (rc < 0)
		tokens_free(out);
	return rc;
}

void tokens_free(struct tokens *t)
{
	free(t->v);
	free(t->text);
	memset(t, 0, sizeof(*t));
}
