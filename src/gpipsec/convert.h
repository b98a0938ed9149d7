// SPDX-License-Identifier: MIT
/* convert.h - one directory object to its part of the model and back
 * (shared by gpmodel.c's two directions). Internal to src/gpipsec. */
#ifndef IPSECFW_GP_CONVERT_H
#define IPSECFW_GP_CONVERT_H

#include "gpipsec/gpmodel.h"

int conv_policy(const struct gp_object *o, struct policy *p, struct err *e);
int conv_isakmp(const struct gp_object *o, struct policy *p, struct err *e);
int conv_nfa(const struct gp_object *o, struct rule *r, struct err *e);
/* A filter action, or (default response) just the qm fields. */
int conv_negpol(const struct gp_object *o, struct filteraction *a, struct err *e);
int conv_filter(const struct gp_object *o, struct gp_list *l, struct err *e);
bool negpol_is_default_response(const struct gp_object *o);

/* What an object means to the model, as text: two objects with equal
 * meanings encode the same policy. */
int object_meaning(const struct gp_object *o, char **out, struct err *e);

/* Model -> blob. */
void blob_policy(const struct policy *p, struct gp_blob *b);
int blob_isakmp(const struct policy *p, const struct gp_guid *instance, struct gp_blob *b,
		struct err *e);
int blob_nfa(const struct rule *r, const char *auth, struct gp_blob *b, struct err *e);
int blob_negpol(enum action action, bool soft, bool qmpfs, const char *qmsecmethods,
		struct gp_blob *b, struct err *e);
int blob_filter(const struct gp_list *l, struct gp_blob *b, struct err *e);

#endif
