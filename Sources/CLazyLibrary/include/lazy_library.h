// A C library opened when first needed rather than linked: the program defines the library's functions itself,
// each calling on to the library's own, which is opened (dlopen) on the first call or by an explicit load.
// A node pays for a library (its pages, and those of everything it links) only if it uses it.
//
// A wrapper's .c file lists the functions it forwards, as X(return type, name, (parameters), (arguments)), and
// expands LAZY_LIBRARY(load, soname, LIST) once. That defines every listed function and `const char *load(void)`,
// which opens the library (once) and answers NULL, or why it could not. Callers call `load` where they can
// report a failure; a listed function called when the library cannot be opened ends the process with the reason.
#ifndef LAZY_LIBRARY_H
#define LAZY_LIBRARY_H

#include <pthread.h>
#include <stddef.h>

/// Opens `soname` and finds `count` functions by `names` into `addresses`.
/// Returns NULL, or a message about what failed, written into `message` (`size` bytes).
const char *lazy_library_open(const char *soname, const char *const names[], void *addresses[], size_t count,
                              char *message, size_t size);

/// Ends the process with `message` about `soname`: a forwarded function was called without its library.
_Noreturn void lazy_library_missing(const char *soname, const char *message);

#define LAZY_LIBRARY_INDEX(ret, name, params, args) lazy_index_##name,
#define LAZY_LIBRARY_NAME(ret, name, params, args) #name,
// The prototype is the library header's, so the compiler checks each forwarder against it.
#define LAZY_LIBRARY_FORWARD(ret, name, params, args)                                                                  \
    ret name params {                                                                                                  \
        lazy_library_require();                                                                                        \
        return ((__typeof__(name) *)lazy_addresses[lazy_index_##name]) args;                                           \
    }

#define LAZY_LIBRARY(load, soname, FUNCTIONS)                                                                          \
    enum { FUNCTIONS(LAZY_LIBRARY_INDEX) lazy_count };                                                                 \
    static void *lazy_addresses[lazy_count];                                                                           \
    static const char *lazy_error;                                                                                     \
    static char lazy_message[512];                                                                                     \
    static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;                                                               \
    static void lazy_open(void) {                                                                                      \
        static const char *const names[] = {FUNCTIONS(LAZY_LIBRARY_NAME)};                                           \
        lazy_error = lazy_library_open(soname, names, lazy_addresses, lazy_count, lazy_message, sizeof lazy_message); \
    }                                                                                                                  \
    const char *load(void) {                                                                                           \
        pthread_once(&lazy_once, lazy_open);                                                                           \
        return lazy_error;                                                                                             \
    }                                                                                                                  \
    static void lazy_library_require(void) {                                                                           \
        if (load() != NULL) lazy_library_missing(soname, lazy_error);                                                 \
    }                                                                                                                  \
    FUNCTIONS(LAZY_LIBRARY_FORWARD)

#endif
