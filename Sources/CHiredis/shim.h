// hiredis and its libuv adapter, from Debian's libhiredis-dev. Only Pipeline (the Redis destination) imports this.
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libuv.h>

// Debian's hiredis 0.14 adapter drops poll errors: libuv reports a refused or reset connection as status UV_EBADF
// with no events, so hiredis never looked at the socket and a refused connect ended as a timeout. hiredis 1.0
// fixed the adapter by handling the events it waits for anyway; these hooks wrap 0.14's and re-arm the poll with
// that callback.
static void rivulet_redis_poll(uv_poll_t *handle, int status, int events) {
    redisLibuvEvents *p = (redisLibuvEvents *)handle->data;
    int ready = status ? p->events : events;
    if (p->context != NULL && (ready & UV_READABLE)) redisAsyncHandleRead(p->context);
    if (p->context != NULL && (ready & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

static void rivulet_redis_rearm(void *privdata) {
    redisLibuvEvents *p = (redisLibuvEvents *)privdata;
    if (p->events) uv_poll_start(&p->handle, p->events, rivulet_redis_poll);
}

static void rivulet_redis_add_read(void *privdata) { redisLibuvAddRead(privdata); rivulet_redis_rearm(privdata); }
static void rivulet_redis_del_read(void *privdata) { redisLibuvDelRead(privdata); rivulet_redis_rearm(privdata); }
static void rivulet_redis_add_write(void *privdata) { redisLibuvAddWrite(privdata); rivulet_redis_rearm(privdata); }
static void rivulet_redis_del_write(void *privdata) { redisLibuvDelWrite(privdata); rivulet_redis_rearm(privdata); }

// Attaches `context` to the loop behind `EventLoop.unsafeLoopPointer`. The pointer travels untyped so that Swift
// code never names libuv's types outside the Loop module.
static inline int rivulet_redis_attach(redisAsyncContext *context, void *loop) {
    if (redisLibuvAttach(context, (uv_loop_t *)loop) != REDIS_OK) return REDIS_ERR;
    context->ev.addRead = rivulet_redis_add_read;
    context->ev.delRead = rivulet_redis_del_read;
    context->ev.addWrite = rivulet_redis_add_write;
    context->ev.delWrite = rivulet_redis_del_write;
    return REDIS_OK;
}
