/* fuzz_audit_file.c - libFuzzer target: `aba audit verify --file`, the
 * offline check of an exported audit log (JSON lines, each row's fields,
 * the hash chain, the trailer with the head), with and without a head to
 * look for.  The file is an in-memory one (memfd), so nothing touches disk.
 *
 * Besides not crashing: a file that verifies has a head that is a hash (or
 * no rows), and a broken one names what is wrong.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aba_audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Some head a verifier may be told to look for. */
static const char HEAD[] = "5f1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aba_audit_check c;
	struct aba_err err;
	char path[64];
	int fd = memfd_create("audit", 0), rc;

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (int with_head = 0; with_head < 2; with_head++) {
		memset(&c, 0, sizeof(c));
		rc = aba_audit_verify_file(path, with_head ? HEAD : NULL, &c, &err);
		if (rc == 0 && c.broken_id == 0 && c.problem[0] == '\0' && c.rows > 0 &&
		    !aba_audit_is_hash(c.head))
			abort();
		if (rc == 0 && (c.broken_id != 0) != (c.problem[0] != '\0') && c.broken_id != 0)
			abort();	/* a broken row is always explained */
	}
	close(fd);
	return 0;
}
