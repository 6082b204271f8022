// libpq, PostgreSQL's client library, from Debian's libpq-dev. Only Pipeline imports this module. The library is
// opened on first use, not linked (lazy_library.h): with the Kerberos, LDAP and TLS libraries it pulls in, it costs
// an idle node about 5 MB, and only nodes with a PostgreSQL destination need it.
#include <postgresql/libpq-fe.h>

/// Opens the library (once): NULL, or why it cannot be opened.
const char *cpq_load(void);
