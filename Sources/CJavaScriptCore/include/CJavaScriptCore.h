// JavaScriptCore's C API as Debian's libjavascriptcoregtk-4.1-dev installs it (include/JavaScriptCore links to
// its headers), plus the execution time limit. The library is opened on first use, not linked (lazy_library.h):
// it and the GLib, ICU and TLS libraries it pulls in cost an idle node about 7 MB, and most nodes never run
// JavaScript.
#include <JavaScriptCore/JavaScript.h>
#include <stdbool.h>

// The library exports these (JSContextRefPrivate.h in WebKit) but Debian ships no header for them. They bound
// how long a script may run: when the limit passes, `callback` is asked whether to stop, and true terminates
// the script with an uncatchable exception.
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit, JSShouldTerminateCallback callback,
                                         void *context);
void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);

/// Opens the library (once): NULL, or why it cannot be opened.
const char *cjsc_load(void);
