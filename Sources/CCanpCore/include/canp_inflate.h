#ifndef CANP_INFLATE_H
#define CANP_INFLATE_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#endif
