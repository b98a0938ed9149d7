// SPDX-License-Identifier: MIT
/* ipsecfw - the command-line shell: netsh ipsec static/dynamic commands,
 * scripts, ipsecpol one-liners and an interactive prompt (SPEC §1-§4). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine/ftable.h"
#include "agent_client.h"
#include "domain_store.h"
#include "interactive.h"
#include "kernel_cmds.h"
#include "log_cmds.h"
#include "queries.h"
#include "shadow_warn.h"
#include "lang/ipsecpol.h"
#include "lang/session.h"
#include "store/store.h"
#include "version.h"

static void usage(FILE *out)
{
	fputs("usage: ipsecfw [--db PATH] [-j] static|dynamic COMMAND ...\n"
	      "       ipsecfw [--db PATH] [-k] -f SCRIPT   run a netsh script (one transaction;\n"
	      "                                           -k: each command on its own)\n"
	      "       ipsecfw [--db PATH] pol ARGS ...     an ipsecpol command line\n"
	      "       ipsecfw [--db PATH]                  interactive prompt\n"
	      "       ipsecfw [OPTIONS] test [--frag] [--iface lan|dialup] in|out PROTO SRC[:PORT] DST[:PORT]\n"
	      "                                           [type N] [code N]   what happens to a packet\n"
	      "       ipsecfw [OPTIONS] replay [--each] FILE.pcap          a capture through the policy\n"
	      "       ipsecfw [OPTIONS] analyze            shadowed, conflicting, redundant, empty filters\n"
	      "       ipsecfw [OPTIONS] show facts|table   host facts; the compiled filter table\n"
	      "       ipsecfw [OPTIONS] show ike          negotiate rules as strongSwan connections\n"
	      "       ipsecfw [OPTIONS] ike load|sas [--vici URL]   load them into charon; its SAs\n"
	      "       ipsecfw [OPTIONS] apply [--dry-run]  load the policy in force into the kernel\n"
	      "       ipsecfw [OPTIONS] boot               load the startup mode's table\n"
	      "       ipsecfw unload                       delete ipsecfw's table from the kernel\n"
	      "       ipsecfw [OPTIONS] show mode|stats    the kernel's mode; its counters\n"
	      "       ipsecfw [OPTIONS] confirm [--watch]  keep an assignment made with confirm=SECONDS\n"
	      "       ipsecfw [-j] gpo show [gpo=GPO] [domain=DNSNAME]   GPOs and the IPSec policy each assigns\n"
	      "       ipsecfw gpo assign gpo=GPO policy=POLICY [domain=DNSNAME]   as GPMC does (domain.conf)\n"
	      "       ipsecfw gpo unassign gpo=GPO [domain=DNSNAME]\n"
	      "       ipsecfw log export [--format w3c|csv] [--since T] [--until T]   the agent's events\n"
	      "\n"
	      "  --db PATH          the store database (default $IPSECFW_DB or " DB_DEFAULT_PATH ")\n"
	      "  -j                 print JSON\n"
	      "  -f SCRIPT          run SCRIPT ('-' for standard input)\n"
	      "  -k, --keep-going   in a script, commit each command on its own, report every\n"
	      "                     refused line and go on; a summary ends it\n"
	      "  --facts FILE       host facts from FILE instead of this machine (what-if)\n"
	      "  --facts-root DIR   read resolv.conf, leases and wins.conf under DIR\n"
	      "  --version          print the version and exit\n",
	      out);
}

/* Rebuilds one netsh line from argv, quoting values the shell unquoted. */
static char *join_args(int argc, char **argv)
{
	size_t cap = 1;
	char *line, *p;

	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 4;
	if (!(line = p = malloc(cap)))
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		bool blank = strpbrk(a, " \t") != NULL || a[0] == '\0';
		/* After "name=" or "=", a word is a value even when it holds '='. */
		size_t prev = i ? strlen(argv[i - 1]) : 0;
		bool value = prev && argv[i - 1][prev - 1] == '=';
		if (i)
			*p++ = ' ';
		if (value && eq && !strchr(a, '"'))
			p += sprintf(p, "\"%s\"", a);
		else if (blank && eq && !memchr(a, ' ', (size_t)(eq - a)) && !strchr(a, '"'))
			p += sprintf(p, "%.*s\"%s\"", (int)(eq - a + 1), a, eq + 1);
		else if (blank && !strchr(a, '"'))
			p += sprintf(p, "\"%s\"", a);
		else
			p += sprintf(p, "%s", a);
	}
	*p = '\0';
	return line;
}

static int run_words(struct session *s, const char *context, int argc, char **argv)
{
	char *line, *full;
	struct err e;
	int col, rc;

	if (!(line = join_args(argc, argv)))
		return 1;
	if (!(full = malloc(strlen(line) + strlen(context) + 2))) {
		free(line);
		return 1;
	}
	sprintf(full, "%s %s", context, line);
	s->source = "ipsecfw";
	rc = session_line(s, full, strlen(full), &col, &e);
	if (rc < 0)
		fprintf(stderr, "ipsecfw: error: %s\n", e.msg);
	else if (session_finish(s, &e) < 0) {
		fprintf(stderr, "ipsecfw: error: %s\n", e.msg);
		rc = -1;
	}
	free(full);
	free(line);
	return rc < 0 ? 1 : 0;
}

/* `ipsecfw netsh ipsec static ...`, `ipsecfw NETSH.EXE ...`, `ipsecfw ipsec
 * ...`: a batch file's line given as it stands. */
static bool is_netsh_line(const char *word)
{
	return session_is_netsh_word(word) || strcasecmp(word, "ipsec") == 0;
}

static int run_script(struct session *s, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (!in) {
		fprintf(stderr, "ipsecfw: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	rc = session_script(s, in, strcmp(path, "-") == 0 ? "<stdin>" : path);
	if (in != stdin)
		fclose(in);
	return rc < 0 ? 1 : 0;
}

/* Options of the query commands, after the command word. */
static int query_options(int *argc, char ***argv, struct query_opts *o)
{
	while (*argc > 0 && (*argv)[0][0] == '-' && (*argv)[0][1] == '-') {
		const char *opt = (*argv)[0];
		if (strcmp(opt, "--frag") == 0) {
			o->frag = true;
		} else if (strcmp(opt, "--each") == 0) {
			o->each = true;
		} else if (strcmp(opt, "--iface") == 0 && *argc > 1) {
			const char *kind = (*argv)[1];
			if (strcmp(kind, "lan") != 0 && strcmp(kind, "dialup") != 0) {
				fprintf(stderr, "ipsecfw: --iface: '%s' is not lan or dialup\n", kind);
				return -1;
			}
			o->iface = kind[0] == 'l' ? CONN_LAN_BIT : CONN_DIALUP_BIT;
			(*argc)--;
			(*argv)++;
		} else {
			fprintf(stderr, "ipsecfw: unknown option '%s'\n", opt);
			return -1;
		}
		(*argc)--;
		(*argv)++;
	}
	return 0;
}

static bool is_kernel_command(int argc, char **argv)
{
	return argc > 0 && (strcmp(argv[0], "apply") == 0 || strcmp(argv[0], "boot") == 0 ||
			    (strcmp(argv[0], "show") == 0 && argc == 2 &&
			     (strcmp(argv[1], "mode") == 0 || strcmp(argv[1], "stats") == 0)));
}

static int run_kernel_command(struct db *db, const struct facts_sources *src, bool json,
			      int argc, char **argv)
{
	struct enforce_ctx c = { .db = db, .facts = src };

	if (strcmp(argv[0], "apply") == 0)
		return cmd_apply(&c, argc - 1, argv + 1, json);
	if (strcmp(argv[0], "boot") == 0)
		return cmd_boot(&c, argc - 1, argv + 1, json);
	if (strcmp(argv[1], "mode") == 0)
		return cmd_show_mode(&c, json);
	return cmd_show_stats(&c, json);
}

static bool is_query(int argc, char **argv)
{
	return argc > 0 && (strcmp(argv[0], "test") == 0 || strcmp(argv[0], "replay") == 0 ||
			    strcmp(argv[0], "analyze") == 0 || strcmp(argv[0], "show") == 0);
}

static int run_query(struct db *db, const struct facts_sources *src, bool json, int argc,
		     char **argv)
{
	struct query_opts o = { .json = json };
	const char *cmd = argv[0];
	struct view v;
	struct err e;
	int rc;

	argc--;
	argv++;
	if (strcmp(cmd, "show") == 0 &&
	    (argc != 1 || (strcmp(argv[0], "facts") != 0 && strcmp(argv[0], "table") != 0 &&
			   strcmp(argv[0], "ike") != 0))) {
		fprintf(stderr, "ipsecfw: want: show facts | table | ike | mode | stats\n");
		return 2;
	}
	if (query_options(&argc, &argv, &o) < 0)
		return 2;
	if (view_open(&v, db, src, &e) < 0) {
		fprintf(stderr, "ipsecfw: %s: %s\n", cmd, e.msg);
		return 1;
	}
	if (strcmp(cmd, "test") == 0)
		rc = cmd_test(&v, argc, argv, &o);
	else if (strcmp(cmd, "replay") == 0)
		rc = cmd_replay(&v, argc, argv, &o);
	else if (strcmp(cmd, "analyze") == 0)
		rc = cmd_analyze(&v, argc, argv, &o);
	else if (strcmp(argv[0], "facts") == 0)
		rc = cmd_show_facts(&v, &o);
	else if (strcmp(argv[0], "ike") == 0)
		rc = cmd_show_ike(&v, &o);
	else
		rc = cmd_show_table(&v, &o);
	view_close(&v);
	return rc;
}

/* Commands that only read the store open it read-only, so a user the file
 * is readable to can view it (the Cockpit page's read-only view). */
static bool only_reads(int argc, char **argv)
{
	if (argc == 0)
		return false;
	if (is_query(argc, argv) || (is_kernel_command(argc, argv) && argc == 2 &&
				     strcmp(argv[0], "show") == 0))
		return true;
	if (argc > 1 && strcmp(argv[0], "static") == 0 && strcasecmp(argv[1], "exportpolicy") == 0)
		return true; /* it writes a file, not the store */
	return argc > 1 && (strcmp(argv[0], "static") == 0 || strcmp(argv[0], "dynamic") == 0) &&
	       strcasecmp(argv[1], "show") == 0;
}

static int open_db(struct db **db, const char *path, bool read_only, struct err *e)
{
	/* A store not made yet is made as before (root's first command). */
	if (read_only && access(path, F_OK) == 0)
		return db_open_readonly(db, path, e);
	return db_open(db, path, e);
}

static int run_pol(struct session *s, int argc, char **argv)
{
	struct err e;

	s->source = "ipsecpol";
	if (ipsecpol_run(s, argc, argv, &e) < 0) {
		err_show_invisible(&e);
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "facts", required_argument, NULL, 'F' },
		{ "facts-root", required_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = getenv("IPSECFW_DB"), *script = NULL;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	bool json = false, keep_going = false, as_pol;
	struct facts_sources facts_src = { 0 };
	struct session s;
	struct kernel_hook kernel;
	struct db *db;
	struct err e;
	int opt, rc;

	/* Installed as ipsecpol or ipseccmd, the whole command line is ipsecpol's. */
	as_pol = strcmp(prog, "ipsecpol") == 0 || strcmp(prog, "ipseccmd") == 0;
	if (!as_pol) {
		while ((opt = getopt_long(argc, argv, "+d:jf:kh", longopts, NULL)) != -1) {
			switch (opt) {
			case 'd':
				db_path = optarg;
				break;
			case 'j':
				json = true;
				break;
			case 'f':
				script = optarg;
				break;
			case 'k':
				keep_going = true;
				break;
			case 'F':
				facts_src.facts_file = optarg;
				break;
			case 'R':
				facts_src.root = optarg;
				break;
			case 'h':
				usage(stdout);
				return 0;
			case 'V':
				puts("ipsecfw " IPSECFW_VERSION);
				return 0;
			default:
				usage(stderr);
				return 2;
			}
		}
	} else {
		optind = 1;
	}
	if (!as_pol && argc - optind > 0 && strcmp(argv[optind], "log") == 0)
		return cmd_log(argc - optind, argv + optind, json); /* no store needed */
	if (!as_pol && argc - optind > 0 && strcmp(argv[optind], "gpo") == 0)
		return cmd_gpo(argc - optind - 1, argv + optind + 1, json); /* the directory only */
	if (!as_pol && argc - optind > 0 && strcmp(argv[optind], "unload") == 0) {
		struct enforce_ctx c = { .facts = &facts_src }; /* nor here: package removal */
		return cmd_unload(&c, argc - optind - 1, argv + optind + 1, json);
	}
	if (!db_path || !db_path[0])
		db_path = DB_DEFAULT_PATH;
	if (open_db(&db, db_path, !as_pol && !script && only_reads(argc - optind, argv + optind),
		    &e) < 0) {
		fprintf(stderr, "ipsecfw: %s\n", e.msg);
		return 1;
	}
	session_init(&s, db, stdout, stderr);
	s.json = json;
	s.keep_going = keep_going;
	s.after_filters_added = shadow_warn;
	s.hook_ctx = &facts_src;
	kernel_hook_install(&s, &kernel, db, db_path, &facts_src);
	confirm_hook_install(&s);
	agent_client_install(&s, enforce_run_dir(&kernel.ctx));
	domain_store_install(&s);

	int left = argc - optind;
	char **words = argv + optind;
	if (as_pol)
		rc = run_pol(&s, left, words);
	else if (keep_going && !(script && left == 0) && (left > 0 || isatty(STDIN_FILENO)))
		rc = (fputs("ipsecfw: -k goes with a script (-f)\n", stderr), 2);
	else if (script && left == 0)
		rc = run_script(&s, script);
	else if (script)
		rc = (usage(stderr), 2);
	else if (left > 0 && strcmp(words[0], "confirm") == 0)
		rc = cmd_confirm(&kernel, left - 1, words + 1, json);
	else if (is_kernel_command(left, words))
		rc = run_kernel_command(db, &facts_src, json, left, words);
	else if (is_query(left, words))
		rc = run_query(db, &facts_src, json, left, words);
	else if (left > 0 && strcmp(words[0], "pol") == 0)
		rc = run_pol(&s, left - 1, words + 1);
	else if (left > 0 && strcmp(words[0], "ike") == 0)
		rc = cmd_ike(db, &facts_src, enforce_run_dir(&kernel.ctx), json, left - 1, words + 1);
	else if (left > 0 && (strcmp(words[0], "static") == 0 || strcmp(words[0], "dynamic") == 0))
		rc = left == 1 ? (usage(stderr), 2) : run_words(&s, words[0], left - 1, words + 1);
	else if (left > 1 && is_netsh_line(words[0]))
		rc = run_words(&s, "", left, words); /* a batch file's line, word for word */
	else if (left > 0)
		rc = (fprintf(stderr, "ipsecfw: unknown command '%s'\n", words[0]), usage(stderr), 2);
	else if (isatty(STDIN_FILENO))
		rc = interactive_run(&s) ? 1 : 0;
	else
		rc = run_script(&s, "-");
	session_free(&s);
	db_close(db);
	return rc;
}
