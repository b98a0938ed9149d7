// SPDX-License-Identifier: MIT
/* view_cut.c - cutting a view's boxes into partitions and tiers. */
#include <stdlib.h>
#include <string.h>

#include "view_cut.h"

/* enough: stop once that many tiers are taken (tiers_assign_until);
 * UINT32_MAX: all of them. */
static void rest_tiers_of(const struct tier_box *boxes, const uint32_t *rest, size_t n,
			  uint32_t enough, struct rest_tiers *rt)
{
	rt->boxes = malloc(sizeof(*rt->boxes) * (n ? n : 1));
	rt->tier = malloc(sizeof(*rt->tier) * (n ? n : 1));
	rt->n_tiers = -1;
	if (!rt->boxes || !rt->tier)
		return;
	for (size_t j = 0; j < n; j++)
		rt->boxes[j] = boxes[rest ? rest[j] : j];
	rt->n_tiers = tiers_assign_until(rt->boxes, n, rt->tier, enough);
}

static void rest_tiers_free(struct rest_tiers *rt)
{
	free(rt->boxes);
	free(rt->tier);
}

/* The partitions pay for their pieces (at most REPLICATION_MAX per
 * filter's box, partition.c) only if plain tiers take this many: if they
 * halve the lookups. On policies of crossing filters they save a few
 * lookups for several times the elements, and the kernel's lookup time,
 * its memory and the load time grow with those. */
static uint32_t tiers_to_pay(const struct partition *part, const struct rest_tiers *rt)
{
	return (uint32_t)(2 * (part->n_levels + (size_t)rt->n_tiers));
}

/* Cuts boxes into partitions and tiers, or all in tiers when cutting does
 * not pay; -1: out of memory. */
static int cut_view(const struct tier_box *boxes, size_t n, bool frag, struct partition *part,
		    struct rest_tiers *rt)
{
	struct rest_tiers all = { 0 };
	int rc = -1;

	if (partition_build(boxes, n, frag, part) < 0)
		return -1;
	rest_tiers_of(boxes, part->rest, part->n_rest, UINT32_MAX, rt);
	if (rt->n_tiers < 0)
		return -1;
	if (part->n_levels == 0)
		return 0;
	/* plain tiers counted only as far as the question needs: on policies
	 * the partitions suit, that was most of a view's time */
	uint32_t enough = tiers_to_pay(part, rt);
	rest_tiers_of(boxes, NULL, n, enough, &all);
	if (all.n_tiers < 0)
		goto out;
	if (all.n_tiers < (long)enough) { /* all of them: the tiers are used */
		uint32_t *every = malloc(sizeof(*every) * (n ? n : 1));
		if (!every)
			goto out;
		for (size_t j = 0; j < n; j++)
			every[j] = (uint32_t)j;
		partition_free(part);
		part->rest = every;
		part->n_rest = n;
		rest_tiers_free(rt);
		*rt = all;
		all = (struct rest_tiers){ 0 };
	}
	rc = 0;
out:
	rest_tiers_free(&all);
	return rc;
}

const struct view_cut *view_cut_of(struct view_cut **cuts, size_t *n_cuts,
				   const struct tier_box *boxes, size_t n, bool frag)
{
	struct view_cut *c;

	for (size_t i = 0; i < *n_cuts; i++) {
		c = &(*cuts)[i];
		if (c->n == n && c->frag == frag && !memcmp(c->boxes, boxes, n * sizeof(*boxes)))
			return c;
	}
	if (!(*n_cuts & (*n_cuts + 1))) { /* 0, 1, 3, 7...: full */
		struct view_cut *grown = realloc(*cuts, (2 * *n_cuts + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		*cuts = grown;
	}
	c = &(*cuts)[*n_cuts];
	*c = (struct view_cut){ .boxes = malloc(n * sizeof(*boxes) + 1), .n = n, .frag = frag };
	if (!c->boxes || cut_view(boxes, n, frag, &c->part, &c->rt) < 0) {
		free(c->boxes);
		partition_free(&c->part);
		rest_tiers_free(&c->rt);
		return NULL;
	}
	memcpy(c->boxes, boxes, n * sizeof(*boxes));
	(*n_cuts)++;
	return c;
}

void view_cuts_free(struct view_cut **cuts, size_t *n_cuts)
{
	for (size_t i = 0; i < *n_cuts; i++) {
		free((*cuts)[i].boxes);
		partition_free(&(*cuts)[i].part);
		rest_tiers_free(&(*cuts)[i].rt);
	}
	free(*cuts);
	*cuts = NULL;
	*n_cuts = 0;
}
