// SPDX-License-Identifier: MIT
/* session.h - a netsh session: the current context (static or dynamic), the
 * current store, batching, and the transaction rules of the brief: a script
 * is one transaction unless it turns batching off, and a failing command
 * always leaves the store as it was. */
#ifndef IPSECFW_SESSION_H
#define IPSECFW_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "model/addr.h"
#include "model/err.h"
#include "model/policy.h"
#include "store/store.h"

enum netsh_context { CTX_STATIC, CTX_DYNAMIC };

/* What a dynamic command says when no agent answers. */
#define SPD_NO_AGENT \
	"no policy agent is running (ipsecfwd): dynamic rules live in the agent and are lost " \
	"when it stops"

enum { RESOLVE_MAX = 32, CTX_STACK_MAX = 16, INCLUDE_MAX = 4 };

/* Resolves a host name to addresses (SPEC §1.1 rule 4). */
typedef int (*resolve_fn)(const char *name, struct ip_prefix *out, size_t max, size_t *n,
			  struct err *e);

struct session {
	struct db *db;
	enum store_kind store;
	char domain[NAME_MAX_LEN];
	enum netsh_context ctx;
	enum netsh_context ctx_stack[CTX_STACK_MAX];
	int ctx_depth;
	bool batch;       /* keep one transaction open across commands */
	bool json;        /* show commands print JSON */
	bool allow_files; /* exportpolicy/importpolicy may touch files */
	bool dynamic_only; /* static commands are refused (the agent's socket) */
	bool from_file;    /* lines come from a file: its words are not echoed */
	bool quit;        /* `exit` was read */
	/* Scripts start with batching off: each command is its own
	 * transaction, a refused line is reported and the script goes on. */
	bool keep_going;
	bool was_command; /* the last line was a command, not blank or a comment */
	/* A failing command aborts the whole open transaction (a script, an
	 * ipsecpol line), so commands need no savepoints of their own. */
	bool all_or_nothing;
	int include_depth;
	FILE *out, *err;
	resolve_fn resolve;
	/* Filters added in the open transaction, handed to after_filters_added
	 * just before it commits (the CLI warns about shadowed ones there). */
	int64_t *added_filters;
	size_t n_added, cap_added;
	void (*after_filters_added)(struct session *s, const int64_t *ids, size_t n);
	void *hook_ctx;
	/* Called with the transaction still open, so its failure rolls the
	 * change back (the CLI loads the kernel here); and when the commit
	 * itself fails after it ran, so what it did can be undone. */
	int (*before_commit)(struct session *s, struct err *e);
	void (*commit_failed)(struct session *s);
	/* after a commit that before_commit saw through, whatever its end */
	void (*commit_done)(struct session *s);
	void *commit_ctx;
	/* A committed transaction armed a safe assign (confirm=): after_commit
	 * starts what rolls it back unless it is confirmed. */
	bool confirm_armed;
	void (*after_commit)(struct session *s);
	/* The dynamic SPD commands (SPEC §3) act on the policy agent's rules:
	 * in the agent spd_run carries them out, in the CLI it sends the line
	 * to the agent. NULL: there is no agent to ask. */
	int (*spd_run)(struct session *s, struct bound *b, struct err *e);
	/* Several such lines as one change, all or nothing (ipsecpol's
	 * dynamic mode); *failed: the index of the line that failed. */
	int (*spd_batch)(struct session *s, const char *const *lines, size_t n, size_t *failed,
			 struct err *e);
	void *spd_ctx;
	/* What the agent does with the directory, one line (ipsecfw show
	 * gpoassignedpolicy): 1 and buf, 0 when no agent follows one. NULL:
	 * there is no agent to ask. */
	int (*directory_state)(struct session *s, char *buf, size_t len);
	/* The domain store in a directory (SPEC §16). `set store
	 * location=domain` calls domain_open: 1 when it put a scratch copy of
	 * the directory's objects in db's place (in_directory), 0 when no
	 * directory is configured (the database's domain store). Then a
	 * committing transaction calls domain_commit, which writes the change
	 * to the directory (the kernel hook is not called: the host's agent
	 * fetches what it is assigned), and domain_close gives db back. */
	int (*domain_open)(struct session *s, const char *domain, struct err *e);
	int (*domain_commit)(struct session *s, struct err *e);
	void (*domain_close)(struct session *s);
	void *domain_ctx;
	bool in_directory;
	struct db *home_db; /* db's own while in_directory: what is in force here */
	const char *text; /* the current line, for forwarding */
	size_t text_len;
	/* Where the current command sits, for messages. */
	const char *source;
	long line;
	char command[64];
};

struct command {
	const char *verb;
	const char *object; /* NULL: a one-word command such as exportpolicy */
	const struct param *params;
	size_t n_params;
	int (*run)(struct session *s, struct bound *b, struct err *e);
	unsigned flags;
};

enum {
	CMD_NO_TX = 1, /* manages the transaction itself (set batch) */
	CMD_SPD = 2,   /* acts on the agent's dynamic SPD, never on the store */
};

#define PARAMS(a) a, sizeof(a) / sizeof((a)[0])

extern const struct command static_commands[];
extern const size_t n_static_commands;
extern const struct command dynamic_commands[];
extern const size_t n_dynamic_commands;

void session_init(struct session *s, struct db *db, FILE *out, FILE *err);

/* Runs one line. On error returns -1; *err_col is the column (0 if none)
 * and e says "command: tag: reason". */
int session_line(struct session *s, const char *line, size_t len, int *err_col, struct err *e);

/* Runs a script. With batching on (the default unless keep_going), the
 * script is one transaction: the first error prints "source:line:col:
 * error: ...", rolls back the open batch, says what is in force and
 * returns -1. With batching off (keep_going, or after `set batch
 * mode=disable`), each command commits on its own, a refused line is
 * reported and skipped, and a summary line ends the script; -1 when a
 * line was refused. Batch-file lines (@echo off, echo, @rem, ::, :label)
 * are skipped with a note. */
int session_script(struct session *s, FILE *in, const char *source);

/* netsh, NETSH, netsh.exe or a path to it: the word batch files start
 * their lines with. */
bool session_is_netsh_word(const char *w);

/* "persistent none, local 'Web Server Policy'": the policies in force. */
void session_describe_in_force(struct session *s, char *buf, size_t len);

/* Prints "source:line: note: ..." */
void session_note(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Remembers a filter added in this transaction (see after_filters_added). */
void session_note_filter(struct session *s, int64_t id);
/* Releases what the session holds. */
void session_free(struct session *s);

/* Commits what batching kept open. */
int session_finish(struct session *s, struct err *e);

/* Prints a warning for the current command. */
void session_warn(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
