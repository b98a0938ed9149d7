// SPDX-License-Identifier: MIT
/* ipsecpol.h - the Windows 2000 ipsecpol / XP ipseccmd command line
 * (SPEC §4). A static (-w) invocation is translated into netsh static
 * commands and run as one transaction, so both languages share one set of
 * rules and one set of messages. */
#ifndef IPSECFW_IPSECPOL_H
#define IPSECFW_IPSECPOL_H

#include "session.h"

/* argv holds the arguments after the program name. Prints usage for -?. */
int ipsecpol_run(struct session *s, int argc, char **argv, struct err *e);

/* The usage text. */
void ipsecpol_usage(FILE *out);

#endif
