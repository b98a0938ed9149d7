// SPDX-License-Identifier: MIT
/* cmd_policy.h - handlers of the policy, rule and default response rule
 * commands (SPEC §2.2, §2.6). */
#ifndef IPSECFW_CMD_POLICY_H
#define IPSECFW_CMD_POLICY_H

#include "session.h"

int cmd_add_policy(struct session *s, struct bound *b, struct err *e);
int cmd_set_policy(struct session *s, struct bound *b, struct err *e);
int cmd_delete_policy(struct session *s, struct bound *b, struct err *e);
int cmd_show_policy(struct session *s, struct bound *b, struct err *e);
int cmd_add_rule(struct session *s, struct bound *b, struct err *e);
int cmd_set_rule(struct session *s, struct bound *b, struct err *e);
int cmd_delete_rule(struct session *s, struct bound *b, struct err *e);
int cmd_show_rule(struct session *s, struct bound *b, struct err *e);
int cmd_set_defaultrule(struct session *s, struct bound *b, struct err *e);
int cmd_show_gpoassignedpolicy(struct session *s, struct bound *b, struct err *e);

#endif
