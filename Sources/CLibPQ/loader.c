#include "CLibPQ.h"
#include "lazy_library.h"

// The libpq functions rivulet calls: return type, name, parameters, and the arguments passed on.
#define CPQ_FUNCTIONS(X)                                                                                               \
    X(PGconn *, PQconnectStartParams, (const char *const *keywords, const char *const *values, int expand_dbname),   \
      (keywords, values, expand_dbname))                                                                               \
    X(PostgresPollingStatusType, PQconnectPoll, (PGconn * conn), (conn))                                              \
    X(PQconninfoOption *, PQconndefaults, (void), ())                                                                 \
    X(void, PQconninfoFree, (PQconninfoOption * connOptions), (connOptions))                                          \
    X(void, PQfinish, (PGconn * conn), (conn))                                                                         \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                                         \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                                           \
    X(int, PQsocket, (const PGconn *conn), (conn))                                                                     \
    X(int, PQsetnonblocking, (PGconn * conn, int arg), (conn, arg))                                                   \
    X(PGVerbosity, PQsetErrorVerbosity, (PGconn * conn, PGVerbosity verbosity), (conn, verbosity))                   \
    X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * conn, PQnoticeProcessor proc, void *arg), (conn, proc, arg)) \
    X(int, PQsendQuery, (PGconn * conn, const char *query), (conn, query))                                            \
    X(int, PQsendQueryParams,                                                                                          \
      (PGconn * conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,        \
       const int *paramLengths, const int *paramFormats, int resultFormat),                                            \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))                    \
    X(int, PQputCopyData, (PGconn * conn, const char *buffer, int nbytes), (conn, buffer, nbytes))                   \
    X(int, PQputCopyEnd, (PGconn * conn, const char *errormsg), (conn, errormsg))                                     \
    X(int, PQconsumeInput, (PGconn * conn), (conn))                                                                    \
    X(int, PQisBusy, (PGconn * conn), (conn))                                                                          \
    X(int, PQflush, (PGconn * conn), (conn))                                                                           \
    X(PGresult *, PQgetResult, (PGconn * conn), (conn))                                                               \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                                                   \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res))                                                     \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))                            \
    X(int, PQntuples, (const PGresult *res), (res))                                                                    \
    X(int, PQnfields, (const PGresult *res), (res))                                                                    \
    X(char *, PQfname, (const PGresult *res, int field_num), (res, field_num))                                        \
    X(Oid, PQftype, (const PGresult *res, int field_num), (res, field_num))                                           \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))              \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))                \
    X(int, PQgetlength, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))                \
    X(void, PQclear, (PGresult * res), (res))

LAZY_LIBRARY(cpq_load, "libpq.so.5", CPQ_FUNCTIONS)
