/* fingerprint.c - SHA-256 (nettle) over a program's text or over the
 * kernel's listing put in canonical form. */
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"

static void to_hex(const uint8_t *digest, char out[FINGERPRINT_HEX + 1])
{
	for (size_t i = 0; i < FINGERPRINT_HEX / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void fingerprint_text(const char *text, size_t len, char out[FINGERPRINT_HEX + 1])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof(digest), digest);
	to_hex(digest, out);
}

/* Drops what changes without the contents changing: handles (new ones at
 * every load) and counter values (packets, bytes; a quota's use). Sorts
 * element lists (the kernel's order is its own). */
static void scrub(json_t *v)
{
	const char *key;
	json_t *item;
	void *tmp;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			scrub(item);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach_safe(v, tmp, key, item) {
		if (!strcmp(key, "handle") || !strcmp(key, "packets") || !strcmp(key, "bytes") ||
		    !strcmp(key, "used"))
			json_object_del(v, key);
		else
			scrub(item);
	}
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_texts(char **texts, size_t n)
{
	for (size_t i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
}

/* The compact texts of an array's items, sorted, freed by the caller. */
static char **sorted_texts(json_t *arr, size_t *n)
{
	char **texts = calloc(json_array_size(arr) + 1, sizeof(*texts));
	json_t *item;
	size_t i;

	*n = 0;
	if (!texts)
		return NULL;
	json_array_foreach(arr, i, item) {
		if (!(texts[*n] = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY))) {
			free_texts(texts, *n);
			return NULL;
		}
		++*n;
	}
	qsort(texts, *n, sizeof(*texts), by_text);
	return texts;
}

/* A set's or map's elements, sorted, as one string in place of the list. */
static int canonical_elements(json_t *item, size_t *elements)
{
	json_t *o = json_object_get(item, "set");
	json_t *elems;
	char **texts, *joined;
	size_t n, len = 1;

	if (!o)
		o = json_object_get(item, "map");
	if (!(elems = json_object_get(o, "elem")))
		return 0;
	if (!(texts = sorted_texts(elems, &n)))
		return -1;
	*elements += n;
	for (size_t i = 0; i < n; i++)
		len += strlen(texts[i]) + 1;
	if (!(joined = malloc(len))) {
		free_texts(texts, n);
		return -1;
	}
	joined[0] = '\0';
	for (size_t i = 0, at = 0; i < n; i++) {
		size_t l = strlen(texts[i]);
		memcpy(joined + at, texts[i], l);
		joined[at + l] = '\n';
		joined[at += l + 1] = '\0';
	}
	free_texts(texts, n);
	json_object_set_new(o, "elem", json_string(joined));
	free(joined);
	return 0;
}

/* A rule's place is its position in its chain, not its handle. */
static void number_rule(json_t *item, const char **chain, long *pos)
{
	json_t *r = json_object_get(item, "rule");
	const char *name = json_string_value(json_object_get(r, "chain"));

	if (!name)
		return;
	*pos = *chain && !strcmp(*chain, name) ? *pos + 1 : 0;
	*chain = name;
	json_object_set_new(r, "position", json_integer(*pos));
}

static bool skipped(json_t *item, const char *skip_prefix)
{
	const char *name = json_string_value(json_object_get(json_object_get(item, "chain"), "name"));

	return json_object_get(item, "metainfo") ||
	       (name && !strncmp(name, skip_prefix, strlen(skip_prefix)));
}

int fingerprint_listing(json_t *doc, const char *skip_prefix, char out[FINGERPRINT_HEX + 1],
			size_t *elements)
{
	json_t *all = json_object_get(doc, "nftables"), *kept = json_array(), *item;
	const char *chain = NULL;
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char **texts;
	long pos = 0;
	size_t i, n;
	int rc = -1;

	*elements = 0;
	if (!kept)
		return -1;
	json_array_foreach(all, i, item) {
		if (skipped(item, skip_prefix))
			continue;
		json_t *copy = json_deep_copy(item);
		if (!copy || json_array_append_new(kept, copy) < 0)
			goto out;
		scrub(copy);
		number_rule(copy, &chain, &pos);
		if (canonical_elements(copy, elements) < 0)
			goto out;
	}
	if (!(texts = sorted_texts(kept, &n)))
		goto out;
	sha256_init(&ctx);
	for (i = 0; i < n; i++) {
		sha256_update(&ctx, strlen(texts[i]), (const uint8_t *)texts[i]);
		sha256_update(&ctx, 1, (const uint8_t *)"\n");
	}
	sha256_digest(&ctx, sizeof(digest), digest);
	to_hex(digest, out);
	free_texts(texts, n);
	rc = 0;
out:
	json_decref(kept);
	return rc;
}
