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

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

// One fold of CRC-32 by carry-less multiplication: the 128 bits in `acc`, multiplied by x^n mod P (the two constants
// in `k`, one per half), added to the 128 bits `n` bits further on (`next`).
__attribute__((target("pclmul,sse4.1")))
static inline __m128i czlib_fold(__m128i acc, __m128i k, __m128i next) {
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(acc, k, 0x00), _mm_clmulepi64_si128(acc, k, 0x11)), next);
}

__attribute__((target("pclmul,sse4.1")))
static inline __m128i czlib_load(const unsigned char *p) {
    return _mm_loadu_si128((const __m128i *)p);
}

// zlib's CRC-32 (the IEEE polynomial, bit-reflected) of `len` bytes, at least 64 and a multiple of 16, with `crc`
// and the result in the register's inverted form: Intel's folding with PCLMULQDQ ("Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", 2009), four lanes of 128 bits folded 64 bytes at a time, then
// into one lane, then reduced to 32 bits (Barrett). The constants are powers of x modulo the polynomial.
__attribute__((target("pclmul,sse4.1")))
static inline uint32_t czlib_crc32_clmul(uint32_t crc, const unsigned char *p, size_t len) {
    const __m128i by64 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
    const __m128i by16 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
    const __m128i barrett = _mm_set_epi64x(0x01f7011641, 0x01db710641);
    __m128i a = _mm_xor_si128(czlib_load(p), _mm_cvtsi32_si128((int)crc));
    __m128i b = czlib_load(p + 16), c = czlib_load(p + 32), d = czlib_load(p + 48);
    for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
        a = czlib_fold(a, by64, czlib_load(p));
        b = czlib_fold(b, by64, czlib_load(p + 16));
        c = czlib_fold(c, by64, czlib_load(p + 32));
        d = czlib_fold(d, by64, czlib_load(p + 48));
    }
    a = czlib_fold(czlib_fold(czlib_fold(a, by16, b), by16, c), by16, d);
    for (; len >= 16; p += 16, len -= 16) a = czlib_fold(a, by16, czlib_load(p));
    // 128 bits to 64, then 64 to 32 significant ones.
    a = _mm_xor_si128(_mm_srli_si128(a, 8), _mm_clmulepi64_si128(a, by16, 0x10));
    a = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(a, low32), _mm_set_epi64x(0, 0x0163cd6124), 0x00), _mm_srli_si128(a, 4));
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), barrett, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(a, t), 1);
}

static inline int czlib_has_clmul(void) {
    static int known = -1;
    int has = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (has < 0) {
        unsigned int eax, ebx, ecx, edx;
        has = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_PCLMUL) && (ecx & bit_SSE4_1);
        __atomic_store_n(&known, has, __ATOMIC_RELAXED);
    }
    return has;
}
#endif

// The same value as zlib's crc32(crc, p, len). zlib 1.2.13 computes it a word at a time, about 3 GB/s here; the
// incoming log checksums every event at least twice (written, then read by each delivery), and that made crc32
// the node's largest function during ingestion. Where the CPU multiplies without carries (x86-64 since 2010),
// the whole 16-byte blocks go through czlib_crc32_clmul, several times faster; zlib does the rest.
static inline uint32_t czlib_crc32(uint32_t crc, const unsigned char *p, size_t len) {
#if defined(__x86_64__)
    if (len >= 64 && czlib_has_clmul()) {
        size_t whole = len & ~(size_t)15;
        crc = ~czlib_crc32_clmul(~crc, p, whole);
        p += whole;
        len -= whole;
    }
#endif
    return (uint32_t)crc32_z(crc, p, len);
}
