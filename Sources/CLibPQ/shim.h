// libpq, PostgreSQL's client library, from Debian's libpq-dev. Only Pipeline imports this module.
#include <libpq-fe.h>
