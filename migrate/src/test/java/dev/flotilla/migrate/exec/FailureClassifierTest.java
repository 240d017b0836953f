package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureClassifier.Classification;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One test per class of failure, built from the exception types and values the drivers throw
 * (as seen on the real servers by {@code FailureClassifierIT}).
 */
class FailureClassifierTest {

    /** What pgjdbc throws for a server error: the backend's ErrorResponse fields, NUL-separated. */
    static PSQLException pg(String sqlState, String message) {
        return new PSQLException(new ServerErrorMessage("SERROR\0C" + sqlState + "\0M" + message + "\0"));
    }

    /** What MariaDB Connector/J and MySQL Connector/J throw for a server error. */
    static SQLException mysql(int errorNumber, String sqlState, String message) {
        return new SQLException("(conn=7) " + message, sqlState, errorNumber);
    }

    private static Classification classify(Throwable t) {
        return FailureClassifier.classify(t);
    }

    private static void assertClass(Throwable t, Kind kind, ErrorCode code, String reason) {
        assertThat(classify(t)).isEqualTo(new Classification(kind, code, reason));
    }

    // --- transient ---

    @Test
    void connectionRefusedAtConnectIsTransient() {
        PSQLException e = new PSQLException("Connection to 127.0.0.1:1 refused. Check that the hostname and port are"
                + " correct", PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"));

        assertClass(e, Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection refused");
        assertClass(new SQLNonTransientConnectionException("Socket fail to connect to 127.0.0.1:1. Connection refused",
                "08000", new ConnectException("Connection refused")), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection refused");
    }

    @Test
    void networkExceptionsAreTransientAndNamedBySubtype() {
        assertClass(new ConnectException("Connection refused"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection refused");
        assertClass(new ConnectException("Connection timed out"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection timed out");
        assertClass(new SocketTimeoutException("Read timed out"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "socket timeout");
        assertClass(new SocketException("Connection reset"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection reset");
        assertClass(new SocketException("Broken pipe"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection lost");
        assertClass(new NoRouteToHostException("No route to host"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "no route to host");
    }

    @Test
    void sqlStateClass08IsTransientAndTheNetworkCauseNamesIt() {
        assertClass(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new EOFException()), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection failure");
        assertClass(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new SocketException("Connection reset")), Kind.TRANSIENT,
                ErrorCode.CONNECTION_FAILED, "connection reset");
        assertClass(new PSQLException("The connection attempt failed.", PSQLState.CONNECTION_UNABLE_TO_CONNECT,
                new SocketTimeoutException("Connect timed out")), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "socket timeout");
        assertClass(mysql(-1, "08000", "Socket error"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection failure");
    }

    @Test
    void transientConnectionAndRecoverableExceptionsWithoutStateAreTransient() {
        assertClass(new SQLTransientConnectionException("pool: connection is not available, request timed out"),
                Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection failure");
        assertClass(new SQLRecoverableException("connection lost"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "connection failure");
    }

    @Test
    void lockTimeoutsAreTransient() {
        assertClass(pg("55P03", "canceling statement due to lock timeout"), Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT,
                "lock timeout");
        assertClass(mysql(1205, "HY000", "Lock wait timeout exceeded; try restarting transaction"), Kind.TRANSIENT,
                ErrorCode.LOCK_TIMEOUT, "lock timeout");
        assertClass(Backoff.timeout(DatabaseUrl.parse("postgres://u:pw@db:5432/x"), "public", Duration.ZERO),
                Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "lock timeout");
    }

    @Test
    void serializationFailuresAndDeadlocksAreTransient() {
        assertClass(pg("40001", "could not serialize access due to read/write dependencies among transactions"),
                Kind.TRANSIENT, ErrorCode.STATEMENT_FAILED, "serialization failure");
        assertClass(pg("40P01", "deadlock detected"), Kind.TRANSIENT, ErrorCode.STATEMENT_FAILED, "deadlock");
        assertClass(new SQLTransactionRollbackException("(conn=7) Deadlock found when trying to get lock; try"
                + " restarting transaction", "40001", 1213), Kind.TRANSIENT, ErrorCode.STATEMENT_FAILED, "deadlock");
    }

    @Test
    void tooManyConnectionsIsTransient() {
        assertClass(pg("53300", "too many connections for role \"app\""), Kind.TRANSIENT,
                ErrorCode.CONNECTION_FAILED, "too many connections");
        assertClass(mysql(1040, "08004", "Too many connections"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "too many connections");
        assertClass(new SQLSyntaxErrorException("(conn=9) User 'app' has exceeded the 'max_user_connections'"
                + " resource (current value: 1)", "42000", 1226), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "too many connections");
    }

    @Test
    void hourlyResourceQuotasAreNotRetried() {
        assertThat(classify(new SQLSyntaxErrorException("User 'app' has exceeded the 'max_questions' resource"
                + " (current value: 10)", "42000", 1226)).kind()).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void serverShuttingDownOrStartingIsTransient() {
        assertClass(pg("57P01", "terminating connection due to administrator command"), Kind.TRANSIENT,
                ErrorCode.CONNECTION_FAILED, "server shutting down");
        assertClass(pg("57P03", "the database system is starting up"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "server cannot accept connections now");
        assertClass(mysql(1053, "08S01", "Server shutdown in progress"), Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED,
                "server shutting down");
    }

    @Test
    void terminatedBackendIsTransientEvenThoughTheIoErrorFollowsAsNextException() {
        PSQLException terminated = pg("57P01", "terminating connection due to administrator command");
        terminated.setNextException(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new EOFException()));

        assertClass(terminated, Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "server shutting down");
    }

    @Test
    void sqliteBusyAndLockedAreTransient() {
        assertClass(new SQLiteException("[SQLITE_BUSY] The database file is locked (database is locked)",
                SQLiteErrorCode.SQLITE_BUSY), Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "database locked");
        assertClass(new SQLiteException("[SQLITE_BUSY_SNAPSHOT]", SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT),
                Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "database locked");
        assertClass(new SQLiteException("[SQLITE_LOCKED_SHAREDCACHE] (database table is locked: t)",
                SQLiteErrorCode.SQLITE_LOCKED_SHAREDCACHE), Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "database locked");
    }

    // --- permanent ---

    @Test
    void syntaxErrorsArePermanent() {
        assertClass(pg("42601", "syntax error at or near \"CREAT\""), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "syntax error");
        assertClass(new SQLSyntaxErrorException("(conn=7) You have an error in your SQL syntax", "42000", 1064),
                Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "syntax error");
        assertClass(new SQLiteException("[SQLITE_ERROR] SQL error or missing database (near \"CREAT\": syntax error)",
                SQLiteErrorCode.SQLITE_ERROR), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "syntax error");
    }

    @Test
    void undefinedObjectsArePermanent() {
        assertClass(pg("42P01", "relation \"nope\" does not exist"), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "undefined table");
        assertClass(pg("42703", "column \"nope\" does not exist"), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "undefined column");
        assertClass(mysql(1146, "42S02", "Table 'x.nope' doesn't exist"), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "undefined table");
        assertClass(mysql(1054, "42S22", "Unknown column 'nope' in 'SELECT'"), Kind.PERMANENT,
                ErrorCode.STATEMENT_FAILED, "undefined column");
        assertClass(new SQLiteException("[SQLITE_ERROR] SQL error or missing database (no such table: nope)",
                SQLiteErrorCode.SQLITE_ERROR), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "undefined table");
    }

    @Test
    void constraintViolationsArePermanent() {
        assertClass(pg("23505", "duplicate key value violates unique constraint \"t_pkey\""), Kind.PERMANENT,
                ErrorCode.STATEMENT_FAILED, "constraint violation");
        assertClass(pg("23503", "insert or update on table \"a\" violates foreign key constraint"), Kind.PERMANENT,
                ErrorCode.STATEMENT_FAILED, "constraint violation");
        assertClass(new SQLIntegrityConstraintViolationException("(conn=7) Duplicate entry '1' for key 'PRIMARY'",
                "23000", 1062), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "constraint violation");
        assertClass(new SQLiteException("[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed",
                SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "constraint violation");
        assertClass(new SQLiteException("[SQLITE_CONSTRAINT_NOTNULL]", SQLiteErrorCode.SQLITE_CONSTRAINT_NOTNULL),
                Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "constraint violation");
    }

    @Test
    void authenticationFailuresArePermanent() {
        assertClass(pg("28P01", "password authentication failed for user \"app\""), Kind.PERMANENT,
                ErrorCode.AUTH_FAILED, "authentication failed");
        assertClass(pg("28000", "role \"nobody\" does not exist"), Kind.PERMANENT, ErrorCode.AUTH_FAILED,
                "authentication failed");
        assertClass(new SQLInvalidAuthorizationSpecException("(conn=7) Access denied for user 'app'@'127.0.0.1'"
                + " (using password: YES)", "28000", 1045), Kind.PERMANENT, ErrorCode.AUTH_FAILED,
                "authentication failed");
        assertClass(new FlotillaException(ErrorCode.AUTH_FAILED, "cannot connect"), Kind.PERMANENT,
                ErrorCode.AUTH_FAILED, "authentication failed");
    }

    @Test
    void class08IsPermanentWhereTheDriverSaysAuthentication() {
        PSQLException noPassword = new PSQLException("The server requested password-based authentication, but no"
                + " password was provided by plugin null", PSQLState.CONNECTION_REJECTED);
        PSQLException mechanism = new PSQLException("The authentication type 10 is not supported.",
                PSQLState.CONNECTION_REJECTED);

        assertClass(noPassword, Kind.PERMANENT, ErrorCode.AUTH_FAILED, "authentication failed");
        assertClass(mechanism, Kind.PERMANENT, ErrorCode.AUTH_FAILED, "authentication failed");
        assertClass(new SQLNonTransientConnectionException("Access denied for user 'x'", "08001"), Kind.PERMANENT,
                ErrorCode.AUTH_FAILED, "authentication failed");
    }

    @Test
    void aServerRejectingTheConnectionForOtherReasonsIsPermanent() {
        assertClass(new PSQLException("The server rejected the startup packet.", PSQLState.CONNECTION_REJECTED),
                Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "connection rejected by the server");
    }

    @Test
    void aServerWithoutTheTlsTheUrlRequiresIsPermanentWhateverTheDriverCallsIt() {
        assertClass(new PSQLException("The server does not support SSL.", PSQLState.CONNECTION_REJECTED),
                Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "server offers no TLS");
        assertClass(new SQLNonTransientConnectionException("(conn=12) Trying to connect with ssl, but ssl not enabled"
                + " in the server", "08000"), Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "server offers no TLS");
        assertClass(new SQLNonTransientConnectionException("SSL Connection required, but not provided by server.",
                "08001"), Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "server offers no TLS");
    }

    @Test
    void aServerCertificateThatDoesNotVerifyIsPermanent() {
        PSQLException pkix = new PSQLException("SSL error: PKIX path building failed", PSQLState.CONNECTION_FAILURE,
                new SSLHandshakeException("PKIX path building failed: unable to find valid"
                        + " certification path to requested target"));
        PSQLException hostname = new PSQLException("The hostname db.internal could not be verified by"
                + " hostnameverifier PgjdbcHostnameVerifier.", PSQLState.CONNECTION_FAILURE);

        assertClass(pkix, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "server certificate not trusted");
        assertClass(hostname, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "server certificate not trusted");
        assertClass(new PSQLException("SSL error: Connection reset", PSQLState.CONNECTION_FAILURE,
                new SSLException("Connection reset", new SocketException("Connection reset"))),
                Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection reset");
    }

    @Test
    void unknownHostIsPermanentEvenUnderAConnectionFailure() {
        PSQLException e = new PSQLException("The connection attempt failed.", PSQLState.CONNECTION_UNABLE_TO_CONNECT,
                new UnknownHostException("no-such-host.invalid"));

        assertClass(e, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "unknown host no-such-host.invalid");
    }

    @Test
    void insufficientPrivilegeIsPermanent() {
        assertClass(pg("42501", "permission denied for table t"), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "permission denied");
        assertClass(new SQLSyntaxErrorException("(conn=7) INSERT command denied to user 'ro'@'127.0.0.1' for table"
                + " `x`.`t`", "42000", 1142), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "permission denied");
        assertClass(new SQLSyntaxErrorException("(conn=7) Access denied for user 'ro'@'%' to database 'mysql'",
                "42000", 1044), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "permission denied");
    }

    @Test
    void unknownDatabaseIsPermanentEvenWhenTheDriverCallsItATransientConnectionProblem() {
        assertClass(new SQLSyntaxErrorException("(conn=7) Unknown database 'tenant_9'", "42000", 1049),
                Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "unknown database");
        // MariaDB Connector/J throws "No database selected" as an SQLTransientConnectionException.
        assertClass(new SQLTransientConnectionException("(conn=7) No database selected", "3D000", 1046),
                Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "no database selected");
        assertClass(pg("3D000", "database \"tenant_9\" does not exist"), Kind.PERMANENT, ErrorCode.CONNECTION_FAILED,
                "unknown database");
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"DIRECTORY_INVALID", "CHECKSUM_MISMATCH", "SQL_PARSE_ERROR",
        "HISTORY_NON_LINEAR", "HISTORY_CHANGED", "DATABASE_NOT_CLEAN", "URL_INVALID", "CONFIG_INVALID", "NOT_FOUND",
        "AUTH_FAILED"})
    void flotillasOwnDirectoryChecksumHistoryAndConfigErrorsArePermanentWhateverTheirCause(ErrorCode code) {
        FlotillaException e = new FlotillaException(code, "x", new ConnectException("Connection refused"));

        Classification c = classify(e);

        assertThat(c.kind()).isEqualTo(Kind.PERMANENT);
        assertThat(c.code()).isEqualTo(code);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeWithoutACauseIsClassifiedUnderItsOwnCode(ErrorCode code) {
        Classification c = classify(new FlotillaException(code, "x"));

        assertThat(c.code()).isEqualTo(code);
        assertThat(c.kind()).isEqualTo(code == ErrorCode.LOCK_TIMEOUT ? Kind.TRANSIENT : Kind.PERMANENT);
        assertThat(c.reason()).isNotBlank();
    }

    @ParameterizedTest
    @CsvSource({"57014, canceling statement due to statement timeout", "XX000, internal error",
        "53100, could not extend file: No space left on device", "40002, deferred constraint failed at commit",
        "42P07, relation \"users\" already exists"})
    void sqlStatesWeDoNotKnowArePermanent(String state, String message) {
        Classification c = classify(pg(state, message));

        assertThat(c.kind()).isEqualTo(Kind.PERMANENT);
        assertThat(c.code()).isEqualTo(ErrorCode.STATEMENT_FAILED);
        assertThat(c.reason()).isEqualTo("unrecognised SQL error (SQLState " + state + ")");
    }

    @Test
    void anythingElseUnknownIsPermanent() {
        assertClass(new IllegalStateException("boom"), Kind.PERMANENT, ErrorCode.INTERNAL,
                "unrecognised failure (java.lang.IllegalStateException)");
        assertClass(new IOException("disk"), Kind.PERMANENT, ErrorCode.INTERNAL,
                "unrecognised failure (java.io.IOException)");
        assertClass(new SQLTimeoutException("(conn=7) Query execution was interrupted", "70100", 1317),
                Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "unrecognised SQL error (SQLState 70100, error 1317)");
        assertClass(new SQLiteException("[SQLITE_IOERR] disk I/O error", SQLiteErrorCode.SQLITE_IOERR),
                Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "unrecognised SQLite error SQLITE_IOERR");
        assertClass(new SQLException("no state at all"), Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "unrecognised SQL error (no SQLState)");
    }

    // --- the chain ---

    @Test
    void walksAFlotillaExceptionWrappingAnSqlExceptionWrappingAConnectException() {
        SQLException sql = new SQLException("I/O error", null, 0, new ConnectException("Connection refused"));
        FlotillaException e = new FlotillaException(ErrorCode.STATEMENT_FAILED, "statement failed", sql);

        assertClass(e, Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection refused");
    }

    @Test
    void statementLevelFailuresKeepTheCodeOfTheFlotillaExceptionAroundThem() {
        FlotillaException e = new FlotillaException(ErrorCode.REVISIONS_INVALID, "reading atlas_schema_revisions"
                + " failed", pg("42501", "permission denied for schema atlas_schema_revisions"));

        assertClass(e, Kind.PERMANENT, ErrorCode.REVISIONS_INVALID, "permission denied");
        assertClass(new FlotillaException(ErrorCode.REVISIONS_INVALID, "x", pg("55P03", "lock timeout")),
                Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "lock timeout");
    }

    @Test
    void aWrappingFlotillaExceptionWithAnUnknownCauseIsPermanentUnderItsOwnCode() {
        FlotillaException e = new FlotillaException(ErrorCode.CONNECTION_FAILED, "closing failed",
                pg("XX000", "boom"));

        assertClass(e, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "unrecognised SQL error (SQLState XX000)");
        assertClass(new FlotillaException(ErrorCode.INTERNAL, "bug", new FlotillaException(ErrorCode.CONNECTION_FAILED,
                "x")), Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "connection failure");
    }

    @Test
    void followsTheNextExceptionOfABatchFailure() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", null, 0, new int[0]);
        batch.setNextException(pg("40001", "could not serialize access"));

        assertClass(batch, Kind.TRANSIENT, ErrorCode.STATEMENT_FAILED, "serialization failure");
    }

    @Test
    void theOutermostExceptionThatSaysSomethingDecides() {
        SQLException syntax = pg("42601", "syntax error");
        syntax.setNextException(pg("40001", "could not serialize access"));

        assertClass(syntax, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "syntax error");
    }

    @Test
    void vendorNumbersWinOverTheSqlStateTheyComeWith() {
        // MariaDB reports a deadlock as 40001, which alone would read "serialization failure".
        assertThat(classify(mysql(1213, "40001", "Deadlock found")).reason()).isEqualTo("deadlock");
        // An SQLite result code is not a MySQL error number: SQLITE_ERROR 1 is not looked up there.
        assertThat(classify(new SQLiteException("[SQLITE_ERROR] something else", SQLiteErrorCode.SQLITE_ERROR))
                .kind()).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void aCyclicCauseChainEnds() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);

        assertThat(classify(a).kind()).isEqualTo(Kind.PERMANENT);
        assertThat(FailureClassifier.chain(a)).containsExactly(a, b);
    }

    @Test
    void aVeryLongNextExceptionListIsCutOff() {
        SQLException head = new SQLException("0");
        SQLException last = head;
        for (int i = 1; i < 1000; i++) {
            SQLException next = new SQLException(Integer.toString(i));
            last.setNextException(next);
            last = next;
        }
        last.setNextException(pg("40001", "never reached"));

        assertThat(FailureClassifier.chain(head)).hasSizeLessThanOrEqualTo(64);
        assertThat(classify(head).kind()).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void classificationNeedsAFailureAndAllItsParts() {
        assertThatThrownBy(() -> FailureClassifier.classify(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Classification(Kind.TRANSIENT, null, "x"))
                .isInstanceOf(NullPointerException.class);
        assertThat(Set.of(Kind.values())).containsExactlyInAnyOrder(Kind.TRANSIENT, Kind.PERMANENT);
    }

    // --- JdbcConnector uses the classifier ---

    @Test
    void connectFailureReportsAuthWhereTheClassifierSeesAuth() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:s3cret@db.internal:5432/tenant_1");

        FlotillaException auth = JdbcConnector.connectFailure(url, new PSQLException("The server requested"
                + " password-based authentication, but no password was provided", PSQLState.CONNECTION_REJECTED));
        FlotillaException refused = JdbcConnector.connectFailure(url, new PSQLException("Connection refused",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused")));
        FlotillaException noDb = JdbcConnector.connectFailure(url, pg("3D000", "database \"tenant_1\" does not exist"));

        assertThat(auth.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(auth.getMessage()).contains("refused the credentials").doesNotContain("s3cret");
        assertThat(refused.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(refused.getMessage()).isEqualTo("cannot connect to postgres://app:xxxxx@db.internal:5432/tenant_1:"
                + " connection refused; check that the server is running and reachable and that the database exists");
        assertThat(noDb.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(noDb.getMessage()).contains(": database \"tenant_1\" does not exist; check");
        assertThat(FailureClassifier.classify(noDb).kind()).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void connectFailureSaysWhichUrlParameterAsksForTheTlsTheServerLacksAndHowToGoWithout() {
        SQLException noSsl = new PSQLException("The server does not support SSL.", PSQLState.CONNECTION_REJECTED);

        FlotillaException byDefault = JdbcConnector.connectFailure(
                DatabaseUrl.parse("postgres://app:s3cret@db:5432/t?search_path=s"), noSsl);
        FlotillaException explicit = JdbcConnector.connectFailure(
                DatabaseUrl.parse("postgres://app:s3cret@db:5432/t?sslmode=verify-full"), noSsl);
        FlotillaException mysql = JdbcConnector.connectFailure(DatabaseUrl.parse("mysql://root:s3cret@db/t?tls=true"),
                new SQLNonTransientConnectionException("SSL Connection required, but not provided by server.", "08001"));

        assertThat(byDefault.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(byDefault.getMessage()).isEqualTo("cannot connect to postgres://app:xxxxx@db:5432/t?search_path=s:"
                + " the server does not offer TLS (The server does not support SSL.) and the URL has no sslmode, which"
                + " means sslmode=require (encrypted, as with Atlas' lib/pq); enable TLS (ssl = on) on the server, or,"
                + " to connect without encryption, say so in the URL with sslmode=disable (e.g."
                + " postgres://app:xxxxx@db:5432/t?search_path=s&sslmode=disable)");
        assertThat(explicit.getMessage()).contains("the URL's sslmode=verify-full requires it");
        assertThat(mysql.getMessage()).contains("the URL's tls=true requires it").contains("remove tls from the URL")
                .doesNotContain("s3cret");
    }
}
