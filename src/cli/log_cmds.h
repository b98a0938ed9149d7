// SPDX-License-Identifier: MIT
/* log_cmds.h - `ipsecfw log`: the policy agent's event log. */
#ifndef IPSECFW_LOG_CMDS_H
#define IPSECFW_LOG_CMDS_H

#include <stdbool.h>

int cmd_log(int argc, char **argv, bool json);

#endif
