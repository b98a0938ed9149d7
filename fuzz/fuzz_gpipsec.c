// SPDX-License-Identifier: MIT
/* libFuzzer target: hostile MS-GPIPSEC directory data. The first byte
 * picks what the rest is: 'L' an LDIF text (objects, then the model, then
 * the objects again with the input as prev); otherwise an ipsecData blob
 * of class byte % 5, which must re-encode to the same bytes when it
 * decodes, then goes through the model conversion. Errors are fine;
 * crashes, leaks and reads past the end are not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpipsec/convert.h"
#include "gpipsec/gpmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ldif(const uint8_t *data, size_t size)
{
	struct gp_objset set, again;
	struct gp_domain dom;
	struct err e;

	if (gp_ldif_read((const char *)data, size, &set, &e) < 0)
		return;
	if (gp_to_model(&set, &dom, &e) == 0) {
		if (gp_from_model(&dom, "CN=IP Security,CN=System,DC=example,DC=com", &set, &again, &e) == 0)
			gp_objset_free(&again);
		gp_domain_free(&dom);
	}
	gp_objset_free(&set);
}

static void blob(uint8_t sel, const uint8_t *data, size_t size)
{
	static const char *const types[] = { GP_TYPE_STANDARD, GP_TYPE_DEFAULT_RESPONSE };
	static const char *const actions[] = { GP_ACTION_BLOCK, GP_ACTION_PERMIT, GP_ACTION_SECURE,
					       GP_ACTION_INPASS };
	struct gp_object o;
	uint8_t *out;
	size_t n;
	char *meaning;
	struct err e;

	memset(&o, 0, sizeof(o));
	if (gp_blob_decode(data, size, "fuzz", &o.blob, &e) < 0)
		return;
	if (gp_blob_encode(&o.blob, &out, &n, &e) == 0) {
		if (n != size || memcmp(out, data, size))
			abort(); /* decode then encode must give the same bytes */
		free(out);
	}
	o.cls = (enum gp_class)(sel % GPC_COUNT);
	o.dn = (char *)"CN=fuzz";
	o.id = (char *)"{72385230-70FA-11D1-864C-14A300000000}";
	o.name = (char *)"fuzz";
	o.negpol_type = (char *)types[sel >> 3 & 1];
	o.negpol_action = (char *)actions[sel >> 4 & 3];
	if (object_meaning(&o, &meaning, &e) == 0)
		free(meaning);
	gp_blob_free(&o.blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] == 'L')
		ldif(data + 1, size - 1);
	else
		blob(data[0], data + 1, size - 1);
	return 0;
}
