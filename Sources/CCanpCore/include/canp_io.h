#ifndef CANP_IO_H
#define CANP_IO_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#endif
