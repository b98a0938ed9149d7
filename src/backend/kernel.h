/* kernel.h - talking to nftables through libnftables: running one batch of
 * commands as one kernel transaction, and reading our table back. */
#ifndef IPSECFW_KERNEL_H
#define IPSECFW_KERNEL_H

#include <jansson.h>
#include <stdint.h>

#include "model/err.h"
#include "program.h"

/* Runs text as one transaction: all of it or none. On failure e holds
 * nftables' own message. */
int kernel_run(const char *text, struct err *e);

/* Runs a listing command with JSON output ("list table inet ipsecfw").
 * *out is the parsed document; 0 when the object does not exist. */
int kernel_list_json(const char *cmd, json_t **out, struct err *e);

/* What our table's comment says: 1 with mode and generation, 0 when there
 * is no table, -1 on error (a table not written by ipsecfw is an error). */
int kernel_table_state(enum fw_mode *mode, uint64_t *gen, struct err *e);

#endif
