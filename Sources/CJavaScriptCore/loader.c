#include "CJavaScriptCore.h"
#include "lazy_library.h"

// The JavaScriptCore functions rivulet calls: return type, name, parameters, and the arguments passed on.
#define CJSC_FUNCTIONS(X)                                                                                              \
    X(JSClassRef, JSClassCreate, (const JSClassDefinition *definition), (definition))                                \
    X(void, JSClassRelease, (JSClassRef jsClass), (jsClass))                                                           \
    X(JSContextGroupRef, JSContextGroupCreate, (void), ())                                                            \
    X(void, JSContextGroupRelease, (JSContextGroupRef group), (group))                                                \
    X(void, JSContextGroupSetExecutionTimeLimit,                                                                       \
      (JSContextGroupRef group, double limit, JSShouldTerminateCallback callback, void *context),                    \
      (group, limit, callback, context))                                                                               \
    X(void, JSContextGroupClearExecutionTimeLimit, (JSContextGroupRef group), (group))                                \
    X(JSGlobalContextRef, JSGlobalContextCreateInGroup, (JSContextGroupRef group, JSClassRef globalObjectClass),     \
      (group, globalObjectClass))                                                                                      \
    X(void, JSGlobalContextRelease, (JSGlobalContextRef ctx), (ctx))                                                  \
    X(JSValueRef, JSObjectCallAsFunction,                                                                              \
      (JSContextRef ctx, JSObjectRef object, JSObjectRef thisObject, size_t argumentCount,                            \
       const JSValueRef arguments[], JSValueRef *exception),                                                           \
      (ctx, object, thisObject, argumentCount, arguments, exception))                                                  \
    X(bool, JSObjectDeleteProperty,                                                                                    \
      (JSContextRef ctx, JSObjectRef object, JSStringRef propertyName, JSValueRef *exception),                        \
      (ctx, object, propertyName, exception))                                                                          \
    X(void *, JSObjectGetPrivate, (JSObjectRef object), (object))                                                     \
    X(JSValueRef, JSObjectGetProperty,                                                                                 \
      (JSContextRef ctx, JSObjectRef object, JSStringRef propertyName, JSValueRef *exception),                        \
      (ctx, object, propertyName, exception))                                                                          \
    X(JSObjectRef, JSObjectMake, (JSContextRef ctx, JSClassRef jsClass, void *data), (ctx, jsClass, data))           \
    X(JSObjectRef, JSObjectMakeArray,                                                                                  \
      (JSContextRef ctx, size_t argumentCount, const JSValueRef arguments[], JSValueRef *exception),                  \
      (ctx, argumentCount, arguments, exception))                                                                      \
    X(JSObjectRef, JSObjectMakeFunction,                                                                               \
      (JSContextRef ctx, JSStringRef name, unsigned parameterCount, const JSStringRef parameterNames[],               \
       JSStringRef body, JSStringRef sourceURL, int startingLineNumber, JSValueRef *exception),                       \
      (ctx, name, parameterCount, parameterNames, body, sourceURL, startingLineNumber, exception))                    \
    X(void, JSObjectSetProperty,                                                                                       \
      (JSContextRef ctx, JSObjectRef object, JSStringRef propertyName, JSValueRef value,                             \
       JSPropertyAttributes attributes, JSValueRef *exception),                                                        \
      (ctx, object, propertyName, value, attributes, exception))                                                       \
    X(void, JSObjectSetPropertyAtIndex,                                                                                \
      (JSContextRef ctx, JSObjectRef object, unsigned propertyIndex, JSValueRef value, JSValueRef *exception),       \
      (ctx, object, propertyIndex, value, exception))                                                                  \
    X(void, JSPropertyNameAccumulatorAddName, (JSPropertyNameAccumulatorRef accumulator, JSStringRef propertyName), \
      (accumulator, propertyName))                                                                                     \
    X(JSStringRef, JSStringCreateWithCharacters, (const JSChar *chars, size_t numChars), (chars, numChars))          \
    X(const JSChar *, JSStringGetCharactersPtr, (JSStringRef string), (string))                                       \
    X(size_t, JSStringGetLength, (JSStringRef string), (string))                                                      \
    X(void, JSStringRelease, (JSStringRef string), (string))                                                          \
    X(JSStringRef, JSValueCreateJSONString,                                                                            \
      (JSContextRef ctx, JSValueRef value, unsigned indent, JSValueRef *exception), (ctx, value, indent, exception))  \
    X(JSType, JSValueGetType, (JSContextRef ctx, JSValueRef value), (ctx, value))                                     \
    X(JSValueRef, JSValueMakeBoolean, (JSContextRef ctx, bool boolean), (ctx, boolean))                              \
    X(JSValueRef, JSValueMakeNull, (JSContextRef ctx), (ctx))                                                         \
    X(JSValueRef, JSValueMakeNumber, (JSContextRef ctx, double number), (ctx, number))                               \
    X(JSValueRef, JSValueMakeString, (JSContextRef ctx, JSStringRef string), (ctx, string))                          \
    X(void, JSValueProtect, (JSContextRef ctx, JSValueRef value), (ctx, value))                                       \
    X(bool, JSValueToBoolean, (JSContextRef ctx, JSValueRef value), (ctx, value))                                     \
    X(double, JSValueToNumber, (JSContextRef ctx, JSValueRef value, JSValueRef *exception), (ctx, value, exception)) \
    X(JSStringRef, JSValueToStringCopy, (JSContextRef ctx, JSValueRef value, JSValueRef *exception),                 \
      (ctx, value, exception))                                                                                         \
    X(void, JSValueUnprotect, (JSContextRef ctx, JSValueRef value), (ctx, value))

LAZY_LIBRARY(cjsc_load, "libjavascriptcoregtk-4.1.so.0", CJSC_FUNCTIONS)
