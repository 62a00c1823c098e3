/*
 * prim_file.c: the file system calls behind prim_file.h.
 *
 * Threads: any; no state. Invariant: errno is turned into -errno right after
 * the call that set it, before anything else can change it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "prim_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int _canp_file_open_read(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int _canp_file_stat(int fd, uint64_t *out_size, bool *out_is_directory) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    *out_size = (uint64_t)st.st_size;
    *out_is_directory = S_ISDIR(st.st_mode);
    return 0;
}

int _canp_file_close(int fd) {
    return close(fd) == 0 ? 0 : -errno;
}

int64_t _canp_file_pread(int fd, void *buf, size_t len, uint64_t offset) {
    ssize_t n = pread(fd, buf, len, (off_t)offset);
    return n < 0 ? -(int64_t)errno : (int64_t)n;
}
