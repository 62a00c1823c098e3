/*
 * prim_file.h: the thin layer over the file system calls that uring_reader.c
 * is written against (internal): open for reading, size, pread, close.
 *
 * Each returns what the call returned, or -errno; retries and policy (EINTR,
 * what counts as a readable file) are the caller's. Safe from any thread.
 */
#ifndef CANP_PRIM_FILE_H
#define CANP_PRIM_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* open(2) read-only with O_CLOEXEC: the descriptor (>= 0) or -errno. */
int _canp_file_open_read(const char *path);

/* fstat(2): the size of an open file and whether it is a directory. 0 or -errno. */
int _canp_file_stat(int fd, uint64_t *out_size, bool *out_is_directory);

/* close(2): 0 or -errno. */
int _canp_file_close(int fd);

/* pread(2): bytes read (>= 0) or -errno. */
int64_t _canp_file_pread(int fd, void *buf, size_t len, uint64_t offset);

#endif /* CANP_PRIM_FILE_H */
