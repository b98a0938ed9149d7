// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as a netsh script. Nothing may crash, leak
 * or leave a transaction open. An input of odd length runs as with
 * --keep-going (each command on its own), an even one all or nothing. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session s;
	FILE *in;

	fuzz_session(&s);
	s.keep_going = size & 1;
	if (size == 0 || !(in = fmemopen((void *)data, size, "r")))
		return 0;
	session_script(&s, in, "fuzz");
	fclose(in);
	if (db_in_transaction(fuzz_db))
		abort(); /* a script must always commit or roll back */
	return 0;
}
