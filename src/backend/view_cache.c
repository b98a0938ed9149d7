// SPDX-License-Identifier: MIT
/* view_cache.c - the views of the last secure-mode program, by name. */
#include <stdlib.h>
#include <string.h>

#include "view_cache.h"

struct cached_view {
	char *name;
	struct tier_box *boxes;
	size_t n_boxes;
	char *tails;
	size_t tails_len;
	struct view_built built;
	struct nft_elem *elems; /* built.elems; texts in one block, text_block */
	char *text_block;
	bool used; /* found or put since the last sweep */
};

struct view_cache {
	struct cached_view *views;
	size_t n, cap;
	size_t found, reused; /* found since the last sweep; before it */
};

struct view_cache *view_cache_new(void)
{
	return calloc(1, sizeof(struct view_cache));
}

static void cached_view_free(struct cached_view *v)
{
	free(v->name);
	free(v->boxes);
	free(v->tails);
	free(v->elems);
	free(v->text_block);
	memset(v, 0, sizeof(*v));
}

void view_cache_free(struct view_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		cached_view_free(&c->views[i]);
	free(c->views);
	free(c);
}

static struct cached_view *by_name(struct view_cache *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->views[i].name, name))
			return &c->views[i];
	return NULL;
}

const struct view_built *view_cache_find(struct view_cache *c, const char *name,
					 const struct tier_box *boxes, size_t n, const char *tails,
					 size_t tails_len)
{
	struct cached_view *v = by_name(c, name);

	if (!v || v->n_boxes != n || v->tails_len != tails_len ||
	    memcmp(v->boxes, boxes, n * sizeof(*boxes)) != 0 ||
	    memcmp(v->tails, tails, tails_len) != 0)
		return NULL;
	v->used = true;
	c->found++;
	return &v->built;
}

/* Copies of the view's elements, their maps made relative to first_map. */
static bool copy_elems(struct cached_view *v, const struct view_built *built, uint32_t first_map)
{
	size_t total = 0;
	char *at;

	for (size_t i = 0; i < built->n_elems; i++)
		total += strlen(built->elems[i].text) + 1;
	v->elems = malloc(sizeof(*v->elems) * (built->n_elems ? built->n_elems : 1));
	v->text_block = malloc(total ? total : 1);
	if (!v->elems || !v->text_block)
		return false;
	at = v->text_block;
	for (size_t i = 0; i < built->n_elems; i++) {
		size_t len = strlen(built->elems[i].text) + 1;
		memcpy(at, built->elems[i].text, len);
		v->elems[i] = (struct nft_elem){ built->elems[i].map - first_map, at,
						 built->elems[i].key_len };
		at += len;
	}
	return true;
}

void view_cache_put(struct view_cache *c, const char *name, const struct tier_box *boxes,
		    size_t n, const char *tails, size_t tails_len, const struct view_built *built,
		    uint32_t first_map)
{
	struct cached_view *v = by_name(c, name), fresh = { 0 };

	if (v)
		cached_view_free(v); /* its slot is reused below */
	else if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct cached_view *grown = realloc(c->views, cap * sizeof(*grown));
		if (!grown)
			return;
		c->views = grown;
		c->cap = cap;
	}
	fresh.name = strdup(name);
	fresh.boxes = malloc(n * sizeof(*boxes) + 1);
	fresh.tails = malloc(tails_len + 1);
	if (!fresh.name || !fresh.boxes || !fresh.tails || !copy_elems(&fresh, built, first_map)) {
		cached_view_free(&fresh);
		if (v) /* a freed slot: drop it */
			*v = c->views[--c->n];
		return;
	}
	memcpy(fresh.boxes, boxes, n * sizeof(*boxes));
	memcpy(fresh.tails, tails, tails_len);
	fresh.n_boxes = n;
	fresh.tails_len = tails_len;
	fresh.built = *built;
	fresh.built.elems = fresh.elems;
	fresh.used = true;
	if (!v)
		v = &c->views[c->n++];
	*v = fresh;
}

size_t view_cache_reused(const struct view_cache *c)
{
	return c->reused;
}

void view_cache_sweep(struct view_cache *c)
{
	c->reused = c->found;
	c->found = 0;
	for (size_t i = 0; i < c->n;) {
		if (c->views[i].used) {
			c->views[i++].used = false;
			continue;
		}
		cached_view_free(&c->views[i]);
		c->views[i] = c->views[--c->n];
	}
}
