/* SPDX-License-Identifier: BSD-2-Clause */
/* `lskel verify`: a signed skeleton or container checked offline against a certificate. */
#ifndef LSK_VERIFY_H
#define LSK_VERIFY_H

#include <stdio.h>

/* Check a signed skeleton header or container against @cert, printing what matches to @out.
 * 0 when the signature, the exclusive-map hash and the blob hash all match. */
int lsk_verify_file(const char *path, const char *cert, FILE *out);

#endif
