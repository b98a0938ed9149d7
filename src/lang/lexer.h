// SPDX-License-Identifier: MIT
/* lexer.h - splits one netsh line into tokens: `tag=value` pairs and bare
 * values, with double-quoted parts, each with its 1-based column. */
#ifndef IPSECFW_LEXER_H
#define IPSECFW_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/err.h"

struct token {
	char *tag;   /* NULL for a bare (positional) value */
	char *value; /* quotes removed */
	int col;     /* where the token starts */
	int value_col;
};

struct tokens {
	struct token *v;
	size_t n, cap;
	char *text; /* owns the tag and value strings */
};

/* Tokenises line[0..len). On error returns -1 with *err_col set. */
int lex_line(const char *line, size_t len, struct tokens *out, int *err_col, struct err *e);
void tokens_free(struct tokens *t);

#endif
