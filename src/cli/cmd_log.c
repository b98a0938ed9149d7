// SPDX-License-Identifier: MIT
/* cmd_log.c - `ipsecfw log export`: the agent's events for other tools. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/events.h"
#include "agent/logexport.h"
#include "log_cmds.h"
#include "sys/safefile.h"

static void usage(FILE *out)
{
	fputs("usage: ipsecfw log export [--format w3c|csv] [-j] [--evt-fields]\n"
	      "                          [--since TIME] [--until TIME] [--output FILE] [--log-dir DIR]\n"
	      "  TIME: 2026-11-25, \"2026-11-25 10:00:00\" or 2026-11-25T10:00:00Z (UTC)\n"
	      "  --output FILE appends to FILE when its #Fields: line is the same, else\n"
	      "  writes FILE.1, FILE.2, ...: a W3C file has one field set\n",
	      out);
}

/* The first line starting with "#Fields: " in path, or "" if none. */
static void fields_of(const char *path, char *buf, size_t len)
{
	struct err ignored;
	FILE *f = safe_fopen_read(path, &ignored); /* a link is refused below */
	char *line = NULL;
	size_t cap = 0;

	*buf = 0;
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0)
		if (!strncmp(line, "#Fields: ", 9)) {
			line[strcspn(line, "\r\n")] = 0;
			snprintf(buf, len, "%s", line + 9);
			break;
		}
	free(line);
	fclose(f);
}

/* Where to write: path, or the first of path.1, path.2, ... that is new or
 * has the same fields. *append: it exists with them. */
static void pick_output(const char *path, const struct export_opts *o, char *out, size_t len,
			bool *append)
{
	char fields[1024];
	struct stat st;

	for (int i = 0;; i++) {
		if (i == 0)
			snprintf(out, len, "%s", path);
		else
			snprintf(out, len, "%s.%d", path, i);
		/* new, or a link (which the output refuses) */
		if (lstat(out, &st) != 0 || S_ISLNK(st.st_mode)) {
			*append = false;
			return;
		}
		fields_of(out, fields, sizeof(fields));
		if (!strcmp(fields, export_fields_line(o))) {
			*append = true;
			return;
		}
	}
}

int cmd_log(int argc, char **argv, bool json)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' }, { "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },  { "output", required_argument, NULL, 'o' },
		{ "log-dir", required_argument, NULL, 'l' }, { "evt-fields", no_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },	     { NULL, 0, NULL, 0 },
	};
	struct export_opts o = { .format = json ? EXPORT_JSON : EXPORT_W3C, .since = LLONG_MIN,
				 .until = LLONG_MAX, .header = true };
	const char *log_dir = getenv("IPSECFW_LOG_DIR"), *output = NULL;
	char path[4096], target[4200], host[256] = "-";
	size_t written, skipped;
	bool append = false;
	FILE *out = stdout;
	struct safe_output o_file;
	struct err e;
	int opt;

	if (argc < 2 || strcmp(argv[1], "export") != 0) {
		usage(stderr);
		return 2;
	}
	argc--;
	argv++;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "jo:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F':
			if (!strcmp(optarg, "w3c"))
				o.format = EXPORT_W3C;
			else if (!strcmp(optarg, "csv"))
				o.format = EXPORT_CSV;
			else if (!strcmp(optarg, "json"))
				o.format = EXPORT_JSON;
			else {
				fprintf(stderr, "ipsecfw: log export: --format: '%s' is not w3c, csv or json\n", optarg);
				return 2;
			}
			break;
		case 's':
		case 'u':
			if (export_parse_time(optarg, opt == 's' ? &o.since : &o.until) < 0) {
				fprintf(stderr, "ipsecfw: log export: --%s: '%s' is not a time (2026-11-25, \"2026-11-25 10:00:00\")\n",
					opt == 's' ? "since" : "until", optarg);
				return 2;
			}
			/* a bare date as --until means to the end of that day */
			if (opt == 'u' && strlen(optarg) == 10)
				o.until += 86399;
			break;
		case 'o': output = optarg; break;
		case 'l': log_dir = optarg; break;
		case 'E': o.evt_fields = true; break;
		case 'j': o.format = EXPORT_JSON; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* the EVT ComputerName: this host, unless told (tests, other hosts' logs) */
	if (getenv("IPSECFW_COMPUTER") && *getenv("IPSECFW_COMPUTER"))
		snprintf(host, sizeof(host), "%s", getenv("IPSECFW_COMPUTER"));
	else
		gethostname(host, sizeof(host) - 1);
	o.computer = host;
	snprintf(path, sizeof(path), "%s/" EVENTS_FILE, log_dir && *log_dir ? log_dir : LOG_DIR_DEFAULT);
	if (output) {
		if (o.format == EXPORT_W3C)
			pick_output(output, &o, target, sizeof(target), &append);
		else
			snprintf(target, sizeof(target), "%s", output);
		o.header = !append;
		if (safe_output_open(&o_file, target, append, &e) < 0) {
			fprintf(stderr, "ipsecfw: log export: --output: %s\n", e.msg);
			return 1;
		}
		out = o_file.f;
	}
	if (export_events(path, &o, out, &written, &skipped, &e) < 0) {
		fprintf(stderr, "ipsecfw: log export: %s\n", e.msg);
		if (output)
			safe_output_close(&o_file, false, &e);
		return 1;
	}
	if (output && safe_output_close(&o_file, true, &e) < 0) {
		fprintf(stderr, "ipsecfw: log export: %s\n", e.msg);
		return 1;
	}
	if (output)
		fprintf(stderr, "ipsecfw: %zu events %s %s\n", written, append ? "appended to" : "written to",
			target);
	if (skipped)
		fprintf(stderr, "ipsecfw: log export: %zu line(s) of %s are not events; skipped\n", skipped, path);
	return 0;
}
