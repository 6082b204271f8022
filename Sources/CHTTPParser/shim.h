// Node's http_parser 2.9, from Debian's libhttp-parser-dev. Only HTTP imports this module.
#include <http_parser.h>

// HTTP_PARSER_ERRNO is a macro over a bit-field; a function keeps Swift away from the layout.
static inline enum http_errno rivulet_http_errno(const http_parser *parser) {
    return (enum http_errno)parser->http_errno;
}
static inline unsigned int rivulet_http_status(const http_parser *parser) {
    return parser->status_code;
}
static inline unsigned int rivulet_http_method(const http_parser *parser) {
    return parser->method;
}
static inline int rivulet_http_is_chunked(const http_parser *parser) {
    return (parser->flags & F_CHUNKED) != 0;
}
