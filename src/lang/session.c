// SPDX-License-Identifier: MIT
#include "session.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "resolve.h"
#include "store/ruleset_load.h"

void session_init(struct session *s, struct db *db, FILE *out, FILE *err)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	s->store = STORE_LOCAL;
	s->ctx = CTX_STATIC;
	s->allow_files = true;
	s->out = out;
	s->err = err;
	s->resolve = resolve_host;
	s->source = "-";
}

void session_warn(struct session *s, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	text_show_invisible(text, sizeof(text));
	if (s->line > 0)
		fprintf(s->err, "%s:%ld: warning: %s: %s\n", s->source, s->line, s->command, text);
	else
		fprintf(s->err, "%s: warning: %s: %s\n", s->source, s->command, text);
}

/* Matches a command word exactly or by a unique prefix. */
static int word_matches(const char *word, const char *typed, bool exact)
{
	return exact ? strcasecmp(word, typed) == 0
		     : strncasecmp(word, typed, strlen(typed)) == 0;
}

/* Words read from a file are not quoted in messages unless they named a
 * command: the file may be any file (a secret one given by mistake or on
 * purpose), and its words are not ours to echo. The column says where. */
static const struct command *find_command(const struct command *cmds, size_t n,
					  const struct tokens *t, size_t at, size_t *used,
					  bool quote, struct err *e)
{
	const char *verb = t->v[at].value;
	const char *object = at + 1 < t->n && !t->v[at + 1].tag ? t->v[at + 1].value : NULL;
	const struct command *found = NULL;
	bool verb_known = false;

	if (t->v[at].tag)
		return err_set(e, "expected a command, not a tag"), NULL;
	for (int exact = 1; exact >= 0 && !found; exact--) {
		for (size_t i = 0; i < n; i++) {
			if (!word_matches(cmds[i].verb, verb, exact))
				continue;
			verb_known = true;
			if (!cmds[i].object) {
				found = &cmds[i];
				*used = 1;
				break;
			}
			if (object && word_matches(cmds[i].object, object, true)) {
				found = &cmds[i];
				*used = 2;
				break;
			}
		}
	}
	/* Unique object prefixes (e.g. "filtera") after exact names failed. */
	if (!found && object) {
		int count = 0;
		for (size_t i = 0; i < n; i++) {
			if (cmds[i].object && word_matches(cmds[i].verb, verb, true) &&
			    word_matches(cmds[i].object, object, false)) {
				found = &cmds[i];
				count++;
			}
		}
		if (count > 1 && !quote)
			return err_set(e, "ambiguous command: the word after '%s' names more than one "
					  "object", found->verb), NULL;
		if (count > 1)
			return err_set(e, "ambiguous command '%s %s'", verb, object), NULL;
		if (found)
			*used = 2;
	}
	if (!found && !quote) {
		if (verb_known)
			err_set(e, "unknown command: the word after the verb is not an object it takes");
		else
			err_set(e, "unknown command: the first word is not a netsh command");
	} else if (!found) {
		if (verb_known && object)
			err_set(e, "unknown command '%s %s'", verb, object);
		else if (verb_known)
			err_set(e, "incomplete command '%s': what should it act on?", verb);
		else
			err_set(e, "unknown command '%.64s'", verb);
	}
	return found;
}

static bool parse_context_word(const char *w, enum netsh_context *out)
{
	if (strcasecmp(w, "static") == 0)
		*out = CTX_STATIC;
	else if (strcasecmp(w, "dynamic") == 0)
		*out = CTX_DYNAMIC;
	else
		return false;
	return true;
}

/* netsh, NETSH, netsh.exe, C:\\Windows\\System32\\netsh.exe: how batch
 * files start their lines. */
bool session_is_netsh_word(const char *w)
{
	const char *base = w;

	for (const char *p = w; *p; p++)
		if (*p == '\\' || *p == '/')
			base = p + 1;
	return strcasecmp(base, "netsh") == 0 || strcasecmp(base, "netsh.exe") == 0;
}

/* Skips "netsh", "ipsec" and a context word. Returns how many were
 * skipped; *ctx is the context named, if any. */
static size_t skip_prefix(const struct tokens *t, size_t at, enum netsh_context *ctx,
			  bool *named)
{
	size_t i = at;

	*named = false;
	if (i < t->n && !t->v[i].tag && session_is_netsh_word(t->v[i].value))
		i++;
	if (i < t->n && !t->v[i].tag && strcasecmp(t->v[i].value, "ipsec") == 0)
		i++;
	if (i < t->n && !t->v[i].tag && parse_context_word(t->v[i].value, ctx)) {
		*named = true;
		i++;
	}
	return i - at;
}

void session_note_filter(struct session *s, int64_t id)
{
	if (!s->after_filters_added)
		return;
	if (s->n_added == s->cap_added) {
		size_t cap = s->cap_added ? s->cap_added * 2 : 64;
		int64_t *p = realloc(s->added_filters, cap * sizeof(*p));
		if (!p)
			return; /* only a warning would be lost */
		s->added_filters = p;
		s->cap_added = cap;
	}
	s->added_filters[s->n_added++] = id;
}

void session_free(struct session *s)
{
	if (s->in_directory && s->domain_close)
		s->domain_close(s);
	free(s->added_filters);
	s->added_filters = NULL;
	s->n_added = s->cap_added = 0;
}

/* Commits the open transaction, first showing the hook what was added. */
static int commit(struct session *s, struct err *e)
{
	if (s->n_added && s->after_filters_added) {
		char saved[sizeof(s->command)];
		memcpy(saved, s->command, sizeof(saved));
		snprintf(s->command, sizeof(s->command), "add filter");
		s->after_filters_added(s, s->added_filters, s->n_added);
		memcpy(s->command, saved, sizeof(saved));
	}
	s->n_added = 0;
	bool hooked = !s->in_directory && s->before_commit;
	int rc = 0;

	if (s->in_directory ? s->domain_commit(s, e) < 0
			    : s->before_commit && s->before_commit(s, e) < 0)
		rc = -1;
	else if (db_commit(s->db, e) < 0) {
		db_rollback(s->db);
		if (hooked && s->commit_failed)
			s->commit_failed(s);
		rc = -1;
	}
	if (hooked && s->commit_done)
		s->commit_done(s);
	if (rc == 0 && s->confirm_armed && s->after_commit)
		s->after_commit(s);
	s->confirm_armed = false;
	return rc;
}

static int begin(struct session *s, struct err *e)
{
	s->n_added = 0;
	s->confirm_armed = false;
	return db_begin(s->db, e);
}

static int run_command(struct session *s, const struct command *c, struct bound *b,
		       struct err *e)
{
	int rc;

	if (c->flags & (CMD_NO_TX | CMD_SPD))
		return c->run(s, b, e);
	if (!db_in_transaction(s->db) && begin(s, e) < 0)
		return -1;
	if (s->batch && s->all_or_nothing)
		return c->run(s, b, e);
	if (db_savepoint(s->db, e) < 0)
		return -1;
	rc = c->run(s, b, e);
	if (rc < 0)
		db_savepoint_rollback(s->db);
	else
		db_savepoint_release(s->db);
	if (!s->batch) {
		if (rc == 0 && commit(s, e) < 0)
			rc = -1;
		if (rc < 0)
			db_rollback(s->db);
	}
	return rc;
}

static int context_line(struct session *s, const struct tokens *t, struct err *e)
{
	const char *w = t->v[0].value;
	enum netsh_context ctx = s->ctx;
	bool named;

	if (strcasecmp(w, "popd") == 0) {
		if (t->n > 1)
			return err_set(e, "popd takes no arguments");
		if (s->ctx_depth == 0)
			return err_set(e, "popd: the context stack is empty");
		s->ctx = s->ctx_stack[--s->ctx_depth];
		return 0;
	}
	/* pushd [netsh] [ipsec] [static|dynamic] */
	size_t used = skip_prefix(t, 1, &ctx, &named);
	if (1 + used != t->n && s->from_file)
		return err_set(e, "pushd: unknown context (static or dynamic expected)");
	if (1 + used != t->n)
		return err_set(e, "pushd: unknown context '%.64s'", t->v[1 + used].value);
	if (s->ctx_depth == CTX_STACK_MAX)
		return err_set(e, "pushd: the context stack is full");
	if (s->dynamic_only && ctx != CTX_DYNAMIC)
		return err_set(e, "pushd: only the dynamic context is served here");
	s->ctx_stack[s->ctx_depth++] = s->ctx;
	s->ctx = ctx;
	return 0;
}

/* `# ...` and `rem ...`: skipped before tokenising, so their text may
 * hold anything, unbalanced quotes included. */
static bool is_comment(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '#')
		return true;
	return len - i >= 3 && strncasecmp(line + i, "rem", 3) == 0 &&
	       (len - i == 3 || line[i + 3] == ' ' || line[i + 3] == '\t' || line[i + 3] == '\r' ||
		line[i + 3] == '\n');
}

/* A line the lexer refused at column col: names the command the words
 * before it make, when they make one, as every other refusal does. */
static void name_command_before(struct session *s, const char *line, int col, struct err *e)
{
	enum netsh_context ctx = s->ctx;
	const struct command *cmd;
	struct tokens t;
	struct err ignored;
	size_t at, used;
	bool named;
	int ignored_col;

	if (col <= 1 || lex_line(line, (size_t)col - 1, &t, &ignored_col, &ignored) < 0)
		return;
	at = skip_prefix(&t, 0, &ctx, &named);
	if (at < t.n &&
	    (cmd = find_command(ctx == CTX_DYNAMIC ? dynamic_commands : static_commands,
				ctx == CTX_DYNAMIC ? n_dynamic_commands : n_static_commands, &t, at,
				&used, false, &ignored)))
		err_prefix(e, "%s%s%s", cmd->verb, cmd->object ? " " : "",
			   cmd->object ? cmd->object : "");
	tokens_free(&t);
}

int session_line(struct session *s, const char *line, size_t len, int *err_col, struct err *e)
{
	struct tokens t;
	struct bound b;
	enum netsh_context ctx = s->ctx;
	const struct command *cmd;
	size_t at, used = 0;
	bool named;
	int rc;

	*err_col = 0;
	s->text = line;
	s->text_len = len;
	s->was_command = false;
	snprintf(s->command, sizeof(s->command), "netsh");
	if (is_comment(line, len))
		return 0;
	if (lex_line(line, len, &t, err_col, e) < 0) {
		s->was_command = true;
		name_command_before(s, line, *err_col, e);
		err_show_invisible(e);
		return -1;
	}
	if (t.n == 0) {
		tokens_free(&t);
		return 0;
	}
	if (!t.v[0].tag && (!strcasecmp(t.v[0].value, "pushd") || !strcasecmp(t.v[0].value, "popd"))) {
		*err_col = t.v[0].col;
		rc = context_line(s, &t, e);
		tokens_free(&t);
		if (rc < 0)
			err_show_invisible(e);
		return rc;
	}
	if (t.n == 1 && !t.v[0].tag && (!strcasecmp(t.v[0].value, "exit") ||
					!strcasecmp(t.v[0].value, "quit") ||
					!strcasecmp(t.v[0].value, "bye"))) {
		s->quit = true;
		tokens_free(&t);
		return 0;
	}
	at = skip_prefix(&t, 0, &ctx, &named);
	if (s->dynamic_only && ctx != CTX_DYNAMIC) {
		tokens_free(&t);
		return err_set(e, "only dynamic commands are served here");
	}
	if (at == t.n) {
		/* Only context words: switch, as netsh does at its prompt. */
		s->ctx = ctx;
		tokens_free(&t);
		return 0;
	}
	s->was_command = true;
	const struct command *table = ctx == CTX_DYNAMIC ? dynamic_commands : static_commands;
	size_t n = ctx == CTX_DYNAMIC ? n_dynamic_commands : n_static_commands;
	*err_col = t.v[at].col;
	if (!(cmd = find_command(table, n, &t, at, &used, !s->from_file, e))) {
		err_prefix(e, "%s", ctx == CTX_DYNAMIC ? "dynamic" : "static");
		err_show_invisible(e);
		tokens_free(&t);
		return -1;
	}
	snprintf(s->command, sizeof(s->command), "%s%s%s", cmd->verb, cmd->object ? " " : "",
		 cmd->object ? cmd->object : "");
	rc = args_bind(cmd->params, cmd->n_params, &t, at + used, &b, err_col, e);
	if (rc == 0) {
		enum netsh_context saved = s->ctx;
		s->ctx = ctx; /* a prefixed line runs in its own context */
		rc = run_command(s, cmd, &b, e);
		s->ctx = named ? saved : s->ctx;
		if (rc < 0)
			*err_col = b.err_col ? b.err_col : *err_col;
	}
	if (rc < 0) {
		err_prefix(e, "%s", s->command);
		err_show_invisible(e);
	}
	tokens_free(&t);
	return rc;
}

int session_finish(struct session *s, struct err *e)
{
	if (db_in_transaction(s->db) && commit(s, e) < 0) {
		db_rollback(s->db);
		return -1;
	}
	return 0;
}

/* cmd.exe lines a netsh script copied from a batch file may hold: `@echo
 * off`, `echo ...`, `@rem ...`, `:: ...` and `:label`. Returns the kind
 * for the note, or NULL for a netsh line. */
static const char *batch_line(const char *line, size_t len)
{
	size_t i = 0, w;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == ':')
		return i + 1 < len && line[i + 1] == ':' ? "'::' comment" : "':' label";
	bool at = i < len && line[i] == '@';

	i += at;
	for (w = i; w < len && line[w] != ' ' && line[w] != '\t' && line[w] != '.' &&
		    line[w] != ':' && line[w] != '\r' && line[w] != '\n';
	     w++)
		;
	if (w - i == 4 && strncasecmp(line + i, "echo", 4) == 0)
		return "'echo' command";
	/* A plain `rem` is netsh's own comment (is_comment), skipped silently. */
	if (at && w - i == 3 && strncasecmp(line + i, "rem", 3) == 0)
		return "'@rem' comment";
	return NULL;
}

void session_note(struct session *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(s->err, "%s:%ld: note: ", s->source, s->line);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
}

void session_describe_in_force(struct session *s, char *buf, size_t len)
{
	struct ruleset rs = { 0 };
	struct ruleset_origin o;
	struct err e;

	if (ruleset_load(s->in_directory ? s->home_db : s->db, &rs, &o, &e) < 0) {
		snprintf(buf, len, "unknown (%s)", e.msg);
		return;
	}
	ruleset_free(&rs);
	snprintf(buf, len, "persistent %s%s%s, %s %s%s%s", o.persistent[0] ? "'" : "",
		 o.persistent[0] ? o.persistent : "none", o.persistent[0] ? "'" : "",
		 store_kind_name(o.effective_store), o.effective[0] ? "'" : "",
		 o.effective[0] ? o.effective : "none", o.effective[0] ? "'" : "");
}

/* What a script did, for its last line. */
struct script_tally {
	long commands, applied, pending, refused;
	bool had_refusal; /* a line was refused with batching off */
	long batch_from; /* first line of the open batch, 0: none */
};

static void print_error(struct session *s, const char *source, int col, const struct err *e)
{
	if (col > 0)
		fprintf(s->err, "%s:%ld:%d: error: %s\n", source, s->line, col, e->msg);
	else
		fprintf(s->err, "%s:%ld: error: %s\n", source, s->line, e->msg);
}

/* One script line: run it, count it, and say whether the script goes on
 * (batching off: a refused line is reported and skipped). */
static bool script_step(struct session *s, const char *source, char *line, size_t len,
			struct script_tally *t, int *rc)
{
	struct err e;
	const char *batch;
	int col = 0;

	/* Notepad's UTF-8 byte-order mark. */
	if (s->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (memchr(line, '\0', len)) {
		col = (int)((char *)memchr(line, '\0', len) - line) + 1;
		s->was_command = true;
		err_set(&e, s->line == 1 && len >= 2 && (unsigned char)line[0] == 0xff &&
					    (unsigned char)line[1] == 0xfe
				    ? "the script is UTF-16 (Unicode); save it as UTF-8 or ANSI"
				    : "unexpected NUL byte: not a text line");
		*rc = -1;
	} else if ((batch = batch_line(line, len))) {
		session_note(s, "skipped a batch file's %s (cmd.exe's, not netsh's)", batch);
		return true;
	} else {
		bool was_batch = s->batch && db_in_transaction(s->db);
		*rc = session_line(s, line, len, &col, &e);
		if (s->batch && !was_batch && db_in_transaction(s->db))
			t->batch_from = s->line;
	}
	if (*rc < 0) {
		print_error(s, source, col, &e);
		t->refused++;
		t->commands++;
		if (s->batch || s->include_depth > 0)
			return false;
		*rc = 0;
		t->had_refusal = true;
		return true;
	}
	if (s->was_command) {
		t->commands++;
		t->pending++;
	}
	if (!db_in_transaction(s->db)) {
		t->applied += t->pending;
		t->pending = 0;
		t->batch_from = 0;
	}
	return true;
}

/* The last line of a script whose open batch was rolled back. */
static void report_rollback(struct session *s, const char *source, const char *why,
			    const struct script_tally *t)
{
	char in_force[2 * NAME_MAX_LEN + 64];

	session_describe_in_force(s, in_force, sizeof(in_force));
	if (t->applied == 0)
		fprintf(s->err, "%s: %s, so nothing was applied; in force: %s\n", source, why,
			in_force);
	else
		fprintf(s->err, "%s: %s, so the batch from line %ld on was not applied (%ld earlier "
				"command%s stay%s); in force: %s\n",
			source, why, t->batch_from ? t->batch_from : s->line, t->applied,
			t->applied == 1 ? "" : "s", t->applied == 1 ? "s" : "", in_force);
}

int session_script(struct session *s, FILE *in, const char *source)
{
	const char *saved_source = s->source;
	long saved_line = s->line;
	bool saved_from_file = s->from_file;
	bool saved_batch = s->batch, saved_all = s->all_or_nothing;
	struct script_tally t = { 0 };
	char *line = NULL, why[64];
	size_t cap = 0;
	ssize_t len;
	struct err e;
	int rc = 0;

	s->source = source;
	s->line = 0;
	s->from_file = true;
	if (s->include_depth == 0) {
		s->batch = !s->keep_going;
		s->all_or_nothing = true;
	}
	while (!s->quit && (len = getline(&line, &cap, in)) >= 0) {
		s->line++;
		if (!script_step(s, source, line, (size_t)len, &t, &rc))
			break;
	}
	free(line);
	if (s->include_depth == 0) {
		if (rc < 0) {
			db_rollback(s->db);
			snprintf(why, sizeof(why), "line %ld was refused", s->line);
			report_rollback(s, source, why, &t);
		} else if (session_finish(s, &e) < 0) {
			fprintf(s->err, "%s: error: %s\n", source, e.msg);
			report_rollback(s, source, "the commit failed", &t);
			rc = -1;
		} else {
			t.applied += t.pending;
			t.pending = 0;
		}
		if (rc == 0 && (s->keep_going || t.had_refusal || !s->batch))
			fprintf(s->err, "%s: %ld command%s, %ld applied, %ld refused\n", source,
				t.commands, t.commands == 1 ? "" : "s", t.applied, t.refused);
		if (rc == 0 && t.refused)
			rc = -1;
		s->batch = saved_batch;
		s->all_or_nothing = saved_all;
	} else if (rc == 0 && t.refused) {
		rc = -1;
	}
	s->source = saved_source;
	s->line = saved_line;
	s->from_file = saved_from_file;
	return rc;
}
