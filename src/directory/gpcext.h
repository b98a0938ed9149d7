// SPDX-License-Identifier: MIT
/* gpcext.h - a GPO's gPCMachineExtensionNames (MS-GPOL §2.2.4): the
 * client-side extensions with settings in the GPO, "[{CSE}{TOOL}...]..."
 * sorted by CSE GUID. GPMC adds IPSec's entry when it assigns a policy;
 * `ipsecfw gpo` does the same. No LDAP here: the parser is fuzzed. */
#ifndef IPSECFW_GPCEXT_H
#define IPSECFW_GPCEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/err.h"

/* IPSec's client-side extension and its GPMC snap-in. */
#define GPC_IPSEC_CSE "{E437BC1C-AA7D-11D2-A382-00C04F991E27}"
#define GPC_IPSEC_TOOL "{DEA8AFA0-CC85-11D0-9CE2-0080C7E9D9A5}"
#define GPC_EXT_MAX 4096

/* value with IPSec's entry added (add) or removed, into out (sorted by
 * CSE GUID); an entry IPSec already has is kept as it is. -1 when value
 * is not a list of [{GUID}{GUID}...] or the result does not fit. */
int gpc_ext_edit(const char *value, bool add, char *out, size_t len, struct err *e);

#endif
