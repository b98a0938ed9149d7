// SPDX-License-Identifier: MIT
/* args.h - binds a command's tokens to its declared parameters, the netsh
 * way (SPEC §1): `tag=value` with any tag prefix (the first declared tag it
 * prefixes wins, as netsh's in-order table match does), or bare values
 * taken in declared order; then typed accessors whose errors name the tag. */
#ifndef IPSECFW_ARGS_H
#define IPSECFW_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "lexer.h"
#include "model/err.h"

enum {
	P_REQUIRED = 1, /* must be given */
	P_REPEAT = 2,   /* may be given more than once (rootca) */
	P_TAGGED = 4,   /* never taken positionally (guid=, id=, rule=) */
};

struct param {
	const char *name;
	unsigned flags;
};

enum { ARGS_MAX = 24, ARGS_SEQ_MAX = 64 };

struct bound {
	const struct param *params;
	size_t n_params;
	const char *value[ARGS_MAX]; /* last value given, or NULL */
	int col[ARGS_MAX];
	bool positional[ARGS_MAX]; /* the value came untagged, bound by position */
	/* Every value in command-line order (auth methods keep their order). */
	struct {
		int param;
		const char *value;
		int col;
	} seq[ARGS_SEQ_MAX];
	size_t n_seq;
	int err_col; /* set by failing accessors */
};

/* Binds toks->v[first..]; on error sets *err_col. */
int args_bind(const struct param *params, size_t n_params, const struct tokens *toks,
	      size_t first, struct bound *b, int *err_col, struct err *e);

/* Does the command declare this parameter? (Handlers shared by commands.) */
bool args_declares(const struct bound *b, const char *name);
/* Index of a declared parameter; aborts on a programming error. */
int args_index(const struct bound *b, const char *name);
const char *args_get(const struct bound *b, const char *name);
bool args_has(const struct bound *b, const char *name);

/* Typed accessors: return 0 and leave *out alone when the tag is absent;
 * -1 with "tag: reason" and b->err_col set on a bad value. */
int args_bool(struct bound *b, const char *name, bool *out, struct err *e);
int args_long(struct bound *b, const char *name, long lo, long hi, long *out, struct err *e);
/* One of words[] (case-insensitive), index into *out. */
int args_word(struct bound *b, const char *name, const char *const *words, int *out,
	      struct err *e);
/* Prefixes e with the tag name and records its column; says so when the
 * value was an untagged word bound by position. Returns -1. */
int args_fail(struct bound *b, const char *name, struct err *e);

/* yes/no/y/n, case-insensitive (SPEC §1). */
int parse_yes_no(const char *text, bool *out);

#endif
