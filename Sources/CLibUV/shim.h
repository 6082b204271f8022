// libuv, from Debian's libuv1-dev. Only Loop imports this module.
#include <uv.h>
