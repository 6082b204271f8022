// zlib, from Debian's zlib1g-dev. Only Pipeline imports this module (gzip S3 objects, gzipped replay files, log CRCs).
#include <zlib.h>

// deflateInit2 is a macro Swift cannot import; this starts a deflate stream that writes a gzip member
// (window bits 15 + 16 select the gzip wrapper, zlib.h).
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

// inflateInit2 is a macro too; window bits 15 + 32 accept a gzip or zlib header, found by the stream itself.
static inline int czlib_inflate_init_auto(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}
