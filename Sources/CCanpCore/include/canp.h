/*
 * canp.h: the public C API of the CANP core, for Swift and for C programs.
 *
 * Include this one header. It pulls in the API of each mechanism:
 *   canp_pool.h     memory pools: slab tiers on a jemalloc arena (or malloc)
 *   canp_io.h       file reads through io_uring, with a pread fallback
 *   canp_inflate.h  whole-buffer gzip member inflate (libdeflate)
 *   canp_parquet.h  Parquet pages, encodings, footer, Thrift compact (zstd, snappy, libdeflate)
 *   canp_dbc.h      the DBC decode kernel: a compiled message plan over a batch of frames
 *   canp_blf.h      the BLF frame walk kernel: whole frame objects of a container into columns
 *
 * Conventions: functions return 0 or -errno and pass results through
 * out-parameters; a pointer result is NULL only on allocation failure.
 * The headers include only <stddef.h>, <stdint.h> and <stdbool.h>.
 */
#ifndef CANP_H
#define CANP_H

#include "canp_pool.h"
#include "canp_io.h"
#include "canp_inflate.h"
#include "canp_parquet.h"
#include "canp_dbc.h"
#include "canp_blf.h"

const char *canp_version(void);

#endif /* CANP_H */
