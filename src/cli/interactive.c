// SPDX-License-Identifier: MIT
#include "interactive.h"

#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>

int interactive_run(struct session *s)
{
	char prompt[32];
	char *line;
	int failed = 0;
	struct err e;

	s->source = "<prompt>";
	s->batch = false;
	while (!s->quit) {
		snprintf(prompt, sizeof(prompt), "ipsecfw %s> ",
			 s->ctx == CTX_DYNAMIC ? "dynamic" : "static");
		if (!(line = readline(prompt)))
			break;
		s->line++;
		if (line[strspn(line, " \t")])
			add_history(line);
		int col;
		if (session_line(s, line, strlen(line), &col, &e) < 0) {
			if (col > 0)
				fprintf(s->err, "%*s^\n", (int)strlen(prompt) + col - 1, "");
			fprintf(s->err, "error: %s\n", e.msg);
			failed++;
		}
		free(line);
	}
	if (session_finish(s, &e) < 0) {
		fprintf(s->err, "error: %s\n", e.msg);
		failed++;
	}
	return failed;
}
