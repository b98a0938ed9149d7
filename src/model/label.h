// SPDX-License-Identifier: MIT
/* label.h - the text of names and descriptions (policies, filter lists,
 * filter actions, rules, filters, dynamic policies): valid UTF-8 with no
 * control character (C0, DEL, C1) and no bidirectional formatting
 * character, which could make one name look like another (U+061C,
 * U+200E/F, U+202A..U+202E, U+2066..U+2069). */
#ifndef IPSECFW_LABEL_H
#define IPSECFW_LABEL_H

#include <stddef.h>

#include "err.h"

/* 0, or -1 with what and where in e ("bidirectional control character
 * U+202E at character 4 (byte 4)"); offsets count from 1. */
int label_check(const char *text, struct err *e);

/* Rewrites in place what label_check refuses, for text that did not come
 * through it (a store edited by hand): a bad byte as \xHH, a refused
 * character as \uHHHH. What does not fit in cap is cut at a character. */
void label_escape(char *text, size_t cap);

#endif
