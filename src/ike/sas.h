// SPDX-License-Identifier: MIT
/* sas.h - charon's SAs over VICI (list-sas): each IKE (main mode) SA with
 * its CHILD (quick mode) SAs, as a JSON array, and printed; for
 * `ipsecfw ike sas` and the agent's dynamic show mmsas|qmsas|stats. */
#ifndef IPSECFW_IKE_SAS_H
#define IPSECFW_IKE_SAS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ike/vici.h"

/* [{name, uniqueid, version, state, local-host, remote-host, encr-alg,
 *   integ-alg, dh-group, established, child-sas: [{name, uniqueid, state,
 *   protocol, mode, encr-alg, integ-alg, bytes-in, bytes-out,
 *   install-time, local-ts: [], remote-ts: []}]}] */
int ike_sas_list(const char *url, json_t **out, struct err *e);
size_t ike_sas_count_children(json_t *sas);
/* The bytes counted by every quick mode SA (ESP or AH), each way. */
void ike_sas_bytes(json_t *sas, unsigned long long *in, unsigned long long *out);
/* charon's own counters (VICI stats): {ike_sas, ike_sas_half_open (-1
 * for one it does not give), running (its uptime, as charon says it)}. */
int ike_stats(const char *url, json_t **out, struct err *e);
/* Main mode SAs (each with its quick mode SAs when quick_mode), or the
 * quick mode SAs alone. */
void ike_sas_print(json_t *sas, FILE *out, bool main_mode, bool quick_mode);

#endif
