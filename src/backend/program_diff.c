// SPDX-License-Identifier: MIT
/* program_diff.c - the elements that turn one program into another in
 * place (program.h). */
#include <stdlib.h>
#include <string.h>

#include "program.h"

static int elem_cmp(const void *pa, const void *pb)
{
	const struct nft_elem *a = *(const struct nft_elem *const *)pa;
	const struct nft_elem *b = *(const struct nft_elem *const *)pb;

	if (a->map != b->map)
		return a->map < b->map ? -1 : 1;
	return strcmp(a->text, b->text);
}

static const struct nft_elem **sorted_elems(const struct nft_program *p)
{
	const struct nft_elem **v = malloc(sizeof(*v) * (p->n_elems ? p->n_elems : 1));

	if (!v)
		return NULL;
	for (size_t i = 0; i < p->n_elems; i++)
		v[i] = &p->elems[i];
	qsort(v, p->n_elems, sizeof(*v), elem_cmp);
	return v;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct nft_elem *a = *(const struct nft_elem *const *)pa;
	const struct nft_elem *b = *(const struct nft_elem *const *)pb;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->text, b->text, n);

	return c ? c : (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Elements of x not in y (whole text, same map). */
static size_t only_in(const struct nft_elem **x, size_t nx, const struct nft_elem **y, size_t ny,
		      const struct nft_elem **out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < nx) {
		int c = j < ny ? elem_cmp(&x[i], &y[j]) : -1;
		if (c < 0)
			out[n++] = x[i++];
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	return n;
}

/* The kernel swaps each map's contents on its own within a commit, so a
 * key deleted from one map and added (to it or another) in the same
 * update could be missing for a moment, and a packet would fall through to
 * a worse tier. Such updates (a policy change) must replace the table. */
static bool keys_move(const struct program_diff *d)
{
	const struct nft_elem **gone = malloc(sizeof(*gone) * (d->n_gone ? d->n_gone : 1));
	const struct nft_elem **fresh = malloc(sizeof(*fresh) * (d->n_fresh ? d->n_fresh : 1));
	size_t i = 0, j = 0;
	bool moved = true;

	if (gone && fresh) {
		memcpy(gone, d->gone, sizeof(*gone) * d->n_gone);
		memcpy(fresh, d->fresh, sizeof(*fresh) * d->n_fresh);
		qsort(gone, d->n_gone, sizeof(*gone), key_cmp);
		qsort(fresh, d->n_fresh, sizeof(*fresh), key_cmp);
		moved = false;
		while (i < d->n_gone && j < d->n_fresh && !moved) {
			int c = key_cmp(&gone[i], &fresh[j]);
			moved = c == 0;
			if (c < 0)
				i++;
			else
				j++;
		}
	}
	free(gone);
	free(fresh);
	return moved;
}

void program_diff_free(struct program_diff *d)
{
	free(d->gone);
	free(d->fresh);
	memset(d, 0, sizeof(*d));
}

/* Where each map's elements start and how many there are; false when a
 * map's elements are not one run (then the diff sorts them all). */
static bool map_runs(const struct nft_program *p, size_t *start, size_t *count)
{
	for (size_t m = 0; m < p->n_maps; m++)
		count[m] = 0;
	for (size_t i = 0; i < p->n_elems; i++) {
		uint32_t m = p->elems[i].map;
		if (m >= p->n_maps || (count[m] && start[m] + count[m] != i))
			return false;
		if (!count[m]++)
			start[m] = i;
	}
	return true;
}

static bool elem_same(const struct nft_elem *a, const struct nft_elem *b)
{
	return a->key_len == b->key_len && strcmp(a->text, b->text) == 0;
}

/* Adds to d what turns map run x (of old) into y (of new_): an address
 * change leaves most maps as they were and shifts the rest by a few
 * elements, so the common head and tail are matched in order (removing an
 * element from both sides keeps their multiset difference) and only what
 * lies between is sorted. work holds nx + ny pointers. */
static void diff_run(const struct nft_elem *x, size_t nx, const struct nft_elem *y, size_t ny,
		     const struct nft_elem **work, struct program_diff *d)
{
	size_t head = 0, tail = 0;

	while (head < nx && head < ny && elem_same(&x[head], &y[head]))
		head++;
	while (tail < nx - head && tail < ny - head &&
	       elem_same(&x[nx - 1 - tail], &y[ny - 1 - tail]))
		tail++;
	nx -= head + tail;
	ny -= head + tail;
	for (size_t i = 0; i < nx; i++)
		work[i] = &x[head + i];
	for (size_t i = 0; i < ny; i++)
		work[nx + i] = &y[head + i];
	qsort(work, nx, sizeof(*work), elem_cmp);
	qsort(work + nx, ny, sizeof(*work), elem_cmp);
	d->n_gone += only_in(work, nx, work + nx, ny, d->gone + d->n_gone);
	d->n_fresh += only_in(work + nx, ny, work, nx, d->fresh + d->n_fresh);
}

/* The diff map by map, when both programs keep each map's elements in
 * one run; false when they do not (or out of memory). */
static bool diff_by_map(const struct nft_program *old, const struct nft_program *new_,
			struct program_diff *d)
{
	size_t n = old->n_maps ? old->n_maps : 1;
	size_t *at = malloc(4 * n * sizeof(*at));
	const struct nft_elem **work = malloc(sizeof(*work) * (old->n_elems + new_->n_elems + 1));
	bool ok = at && work && map_runs(old, at, at + n) && map_runs(new_, at + 2 * n, at + 3 * n);

	for (size_t m = 0; ok && m < old->n_maps; m++) {
		size_t nx = at[n + m], ny = at[3 * n + m];
		diff_run(nx ? &old->elems[at[m]] : NULL, nx, ny ? &new_->elems[at[2 * n + m]] : NULL,
			 ny, work, d);
	}
	free(at);
	free(work);
	return ok;
}

/* The diff of all elements sorted at once. */
static bool diff_sorted(const struct nft_program *old, const struct nft_program *new_,
			struct program_diff *d)
{
	const struct nft_elem **a = sorted_elems(old), **b = sorted_elems(new_);
	bool ok = a && b;

	if (ok) {
		d->n_gone = only_in(a, old->n_elems, b, new_->n_elems, d->gone);
		d->n_fresh = only_in(b, new_->n_elems, a, old->n_elems, d->fresh);
	}
	free(a);
	free(b);
	return ok;
}

bool program_diff(const struct nft_program *old, const struct nft_program *new_,
		  struct program_diff *d)
{
	bool ok = false;

	memset(d, 0, sizeof(*d));
	if (old->mode != new_->mode || strcmp(old->body, new_->body) != 0 ||
	    old->n_maps != new_->n_maps)
		return false;
	for (size_t i = 0; i < old->n_maps; i++)
		if (strcmp(old->maps[i], new_->maps[i]) != 0)
			return false;
	d->gone = malloc(sizeof(*d->gone) * (old->n_elems ? old->n_elems : 1));
	d->fresh = malloc(sizeof(*d->fresh) * (new_->n_elems ? new_->n_elems : 1));
	if (d->gone && d->fresh) {
		if (!diff_by_map(old, new_, d)) {
			d->n_gone = d->n_fresh = 0;
			ok = diff_sorted(old, new_, d);
		} else {
			ok = true;
		}
		ok = ok && !keys_move(d);
	}
	if (!ok)
		program_diff_free(d);
	return ok;
}
