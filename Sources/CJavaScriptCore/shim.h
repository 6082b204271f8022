// JavaScriptCore's C API as Debian's libjavascriptcoregtk-4.1-dev installs it, plus the execution time limit.
#include <JavaScriptCore/JavaScript.h>
#include <stdbool.h>

// The library exports these (JSContextRefPrivate.h in WebKit) but Debian ships no header for them. They bound
// how long a script may run: when the limit passes, `callback` is asked whether to stop, and true terminates
// the script with an uncatchable exception.
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit, JSShouldTerminateCallback callback,
                                         void *context);
void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);
