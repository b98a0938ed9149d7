/* ipsecfw - the command-line shell: netsh ipsec static/dynamic commands,
 * scripts, ipsecpol one-liners and an interactive prompt (SPEC §1-§4). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interactive.h"
#include "lang/ipsecpol.h"
#include "lang/session.h"
#include "store/store.h"

static void usage(FILE *out)
{
	fputs("usage: ipsecfw [--db PATH] [-j] static|dynamic COMMAND ...\n"
	      "       ipsecfw [--db PATH] -f SCRIPT        run a netsh script (one transaction)\n"
	      "       ipsecfw [--db PATH] pol ARGS ...     an ipsecpol command line\n"
	      "       ipsecfw [--db PATH]                  interactive prompt\n"
	      "\n"
	      "  --db PATH   the store database (default $IPSECFW_DB or " DB_DEFAULT_PATH ")\n"
	      "  -j          show commands print JSON\n"
	      "  -f SCRIPT   run SCRIPT ('-' for standard input)\n",
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
		if (i)
			*p++ = ' ';
		if (blank && eq && !memchr(a, ' ', (size_t)(eq - a)) && !strchr(a, '"'))
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

static int run_pol(struct session *s, int argc, char **argv)
{
	struct err e;

	s->source = "ipsecpol";
	if (ipsecpol_run(s, argc, argv, &e) < 0) {
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = getenv("IPSECFW_DB"), *script = NULL;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	bool json = false, as_pol;
	struct session s;
	struct db *db;
	struct err e;
	int opt, rc;

	/* Installed as ipsecpol or ipseccmd, the whole command line is ipsecpol's. */
	as_pol = strcmp(prog, "ipsecpol") == 0 || strcmp(prog, "ipseccmd") == 0;
	if (!as_pol) {
		while ((opt = getopt_long(argc, argv, "+d:jf:h", longopts, NULL)) != -1) {
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
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 2;
			}
		}
	} else {
		optind = 1;
	}
	if (!db_path || !db_path[0])
		db_path = DB_DEFAULT_PATH;
	if (db_open(&db, db_path, &e) < 0) {
		fprintf(stderr, "ipsecfw: %s\n", e.msg);
		return 1;
	}
	session_init(&s, db, stdout, stderr);
	s.json = json;

	int left = argc - optind;
	char **words = argv + optind;
	if (as_pol)
		rc = run_pol(&s, left, words);
	else if (script && left == 0)
		rc = run_script(&s, script);
	else if (script)
		rc = (usage(stderr), 2);
	else if (left > 0 && strcmp(words[0], "pol") == 0)
		rc = run_pol(&s, left - 1, words + 1);
	else if (left > 0 && (strcmp(words[0], "static") == 0 || strcmp(words[0], "dynamic") == 0))
		rc = left == 1 ? (usage(stderr), 2) : run_words(&s, words[0], left - 1, words + 1);
	else if (left > 0)
		rc = (fprintf(stderr, "ipsecfw: unknown command '%s'\n", words[0]), usage(stderr), 2);
	else if (isatty(STDIN_FILENO))
		rc = interactive_run(&s) ? 1 : 0;
	else
		rc = run_script(&s, "-");
	db_close(db);
	return rc;
}
