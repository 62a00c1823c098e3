/* version.c: the library's version string. */
#include "canp.h"
const char *canp_version(void) { return "0.1.0"; }
