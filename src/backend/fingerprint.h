/* fingerprint.h - digests that tie what ipsecfw loaded to what the kernel
 * holds. A program's fingerprint is a digest of its serialized text; the
 * kernel's is a digest of our table as the kernel lists it, in a canonical
 * form (no handles, no counter values, objects and elements sorted, rules
 * in their chain's order), so the same contents always give the same
 * fingerprint. Both are SHA-256 cut to 128 bits, in hex. */
#ifndef IPSECFW_FINGERPRINT_H
#define IPSECFW_FINGERPRINT_H

#include <jansson.h>
#include <stddef.h>

enum { FINGERPRINT_HEX = 32 };

void fingerprint_text(const char *text, size_t len, char out[FINGERPRINT_HEX + 1]);

/* The fingerprint of a JSON listing of our table ("list table inet
 * ipsecfw"), leaving out the chains whose name starts with skip_prefix
 * (the state chain, whose name carries the fingerprint). *elements: the
 * number of set and map elements listed. -1 when out of memory. */
int fingerprint_listing(json_t *doc, const char *skip_prefix, char out[FINGERPRINT_HEX + 1],
			size_t *elements);

#endif
