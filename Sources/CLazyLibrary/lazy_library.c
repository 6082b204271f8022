#include "lazy_library.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

const char *lazy_library_open(const char *soname, const char *const names[], void *addresses[], size_t count,
                              char *message, size_t size) {
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(message, size, "%s", dlerror());
        return message;
    }
    for (size_t index = 0; index < count; index++) {
        addresses[index] = dlsym(library, names[index]);
        if (addresses[index] == NULL) {
            snprintf(message, size, "%s has no %s", soname, names[index]);
            return message;
        }
    }
    return NULL;
}

void lazy_library_missing(const char *soname, const char *message) {
    fprintf(stderr, "rivulet: a function of %s was called, but it cannot be opened: %s\n", soname, message);
    abort();
}
