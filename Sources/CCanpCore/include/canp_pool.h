#ifndef CANP_POOL_H
#define CANP_POOL_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#endif
