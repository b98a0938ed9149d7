#include "lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int push(struct tokens *t, char *tag, char *value, int col, int value_col,
		struct err *e)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct token *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return err_set(e, "out of memory");
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (struct token){ tag, value, col, value_col };
	return 0;
}

int lex_line(const char *line, size_t len, struct tokens *out, int *err_col, struct err *e)
{
	char *w;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	/* Every token's text fits in len + 1 bytes plus a NUL per token. */
	if (!(out->text = malloc(2 * len + 2)))
		return err_set(e, "out of memory");
	w = out->text;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)line[k];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*err_col = (int)k + 1;
			tokens_free(out);
			return err_set(e, "unexpected control character (byte 0x%02x): not a text line", c);
		}
	}
	while (i < len) {
		char *tag = NULL, *start = w;
		int col, value_col;
		bool in_quote = false, seen_quote = false;
		size_t quote_at = 0;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		col = value_col = (int)i + 1;
		for (; i < len; i++) {
			char c = line[i];
			if (c == '"') {
				in_quote = !in_quote;
				seen_quote = true;
				quote_at = i;
				continue;
			}
			if (!in_quote && (c == ' ' || c == '\t'))
				break;
			if (!in_quote && c == '=' && !tag && !seen_quote && w > start) {
				*w++ = '\0';
				tag = start;
				start = w;
				value_col = (int)i + 2;
				continue;
			}
			*w++ = c;
		}
		if (in_quote) {
			*err_col = (int)quote_at + 1;
			tokens_free(out);
			return err_set(e, "unterminated quote");
		}
		*w++ = '\0';
		if (tag) {
			for (char *p = tag; *p; p++) {
				if (!isalnum((unsigned char)*p)) {
					*err_col = col;
					/* the tag is not quoted: it may come from any file */
					err_set(e, "bad tag: a tag is letters and digits before '='");
					tokens_free(out); /* owns tag: free after use */
					return -1;
				}
			}
		} else if (start[0] == '=' && !seen_quote) {
			*err_col = col;
			tokens_free(out);
			return err_set(e, "'=' without a tag");
		}
		if (push(out, tag, start, col, value_col, e) < 0) {
			*err_col = col;
			tokens_free(out);
			return -1;
		}
	}
	return 0;
}

void tokens_free(struct tokens *t)
{
	free(t->v);
	free(t->text);
	memset(t, 0, sizeof(*t));
}
