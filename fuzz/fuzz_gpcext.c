// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as a GPO's gPCMachineExtensionNames, with
 * IPSec's entry added and removed. Nothing may crash, leak or read out of
 * bounds; an edited value parses again, holds IPSec's entry exactly when
 * it was added, and adding twice changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "directory/gpcext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = malloc(size + 1), added[GPC_EXT_MAX], again[GPC_EXT_MAX], removed[GPC_EXT_MAX];
	struct err e;

	if (!value)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	if (gpc_ext_edit(value, true, added, sizeof added, &e) == 0) {
		/* an entry is IPSec's when its first GUID is the CSE's */
		if (!strcasestr(added, "[" GPC_IPSEC_CSE))
			abort();
		if (gpc_ext_edit(added, true, again, sizeof again, &e) < 0 || strcmp(added, again) != 0)
			abort();
		if (gpc_ext_edit(added, false, removed, sizeof removed, &e) < 0 ||
		    strcasestr(removed, "[" GPC_IPSEC_CSE))
			abort();
	}
	free(value);
	return 0;
}
