// SPDX-License-Identifier: MIT
/* secmethods.h - IKE main-mode and quick-mode security method lists
 * (SPEC §2.2 mmsecmethods, §2.5 qmsecmethods). The packet filter ignores
 * them; they are validated, normalised, stored and shown. */
#ifndef IPSECFW_SECMETHODS_H
#define IPSECFW_SECMETHODS_H

#include <stddef.h>

#include "err.h"

#define MM_DEFAULT_METHODS "3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1 DES-MD5-1"
#define QM_DEFAULT_METHODS                                                            \
	"ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]:100000k/3600s "                   \
	"ESP[DES,SHA1]:100000k/3600s ESP[DES,MD5]:100000k/3600s"

/* "ConfAlg-HashAlg-Group ..." -> upper-case, SHA normalised to SHA1. */
int mmsecmethods_parse(const char *text, char *out, size_t len, struct err *e);
/* "ESP[C,A]:k/s AH[H]:k/s AH[H]+ESP[C,A]:k/s ..." -> normalised, with the
 * default lifetimes filled in (100000k/3600s). At most 16 offers. */
int qmsecmethods_parse(const char *text, char *out, size_t len, struct err *e);

#endif
