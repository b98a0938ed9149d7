// SPDX-License-Identifier: MIT
/* cmd_filter.h - handlers of the filter list, filter and filter action
 * commands; the command table lives in cmd_static.c. */
#ifndef IPSECFW_CMD_FILTER_H
#define IPSECFW_CMD_FILTER_H

#include "session.h"

int cmd_add_filterlist(struct session *s, struct bound *b, struct err *e);
int cmd_set_filterlist(struct session *s, struct bound *b, struct err *e);
int cmd_delete_filterlist(struct session *s, struct bound *b, struct err *e);
int cmd_show_filterlist(struct session *s, struct bound *b, struct err *e);
int cmd_add_filter(struct session *s, struct bound *b, struct err *e);
int cmd_delete_filter(struct session *s, struct bound *b, struct err *e);
int cmd_add_filteraction(struct session *s, struct bound *b, struct err *e);
int cmd_set_filteraction(struct session *s, struct bound *b, struct err *e);
int cmd_delete_filteraction(struct session *s, struct bound *b, struct err *e);
int cmd_show_filteraction(struct session *s, struct bound *b, struct err *e);

#endif
