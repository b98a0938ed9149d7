// SPDX-License-Identifier: MIT
/* interactive.h - the netsh-like prompt (`ipsecfw static>`), with line
 * editing and history from libedit. */
#ifndef IPSECFW_INTERACTIVE_H
#define IPSECFW_INTERACTIVE_H

#include "lang/session.h"

/* Runs until exit/quit/bye or end of input; each line commits on its own
 * unless `set batch mode=enable`. Returns the number of failed lines. */
int interactive_run(struct session *s);

#endif
