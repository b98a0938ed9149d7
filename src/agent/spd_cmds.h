// SPDX-License-Identifier: MIT
/* spd_cmds.h - the dynamic SPD commands of SPEC §3, carried out in the
 * agent on a working copy of its SPD (the session's spd_run). */
#ifndef IPSECFW_SPD_CMDS_H
#define IPSECFW_SPD_CMDS_H

#include "engine/ftable.h"
#include "ike/mapping.h"
#include "lang/session.h"
#include "model/spd.h"

struct spd_exec {
	struct spd *spd;            /* the working copy */
	bool changed;               /* the command changed it */
	const struct ftable *table; /* in force, for type=specific; NULL outside secure mode */
	uint64_t drops_logged;      /* for show stats */
	const struct ike_fallback *soft; /* for show fallbacks: soft rules in clear */
	size_t n_soft;
};

/* Installs spd_run on s, acting on x. */
void spd_exec_install(struct session *s, struct spd_exec *x);

#endif
