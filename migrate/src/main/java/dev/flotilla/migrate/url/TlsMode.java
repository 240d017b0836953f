package dev.flotilla.migrate.url;

/**
 * The transport security a database URL asks for, with the defaults of Atlas' drivers: lib/pq
 * encrypts without verifying unless told otherwise, go-sql-driver/mysql uses no TLS unless told.
 */
public enum TlsMode {
    /** No TLS: PostgreSQL {@code sslmode=disable}; MySQL without {@code tls} or {@code tls=false}; SQLite. */
    DISABLED,
    /**
     * TLS when the server offers it, without verifying the certificate, else clear text: MySQL
     * {@code tls=preferred}.
     */
    PREFERRED,
    /**
     * TLS or no connection, certificate not verified: PostgreSQL without {@code sslmode} or with
     * {@code sslmode=require}; MySQL {@code tls=skip-verify}.
     */
    REQUIRED,
    /**
     * TLS with the certificate chain verified, not the host name: PostgreSQL {@code sslmode=verify-ca},
     * and {@code sslmode=require} with an {@code sslrootcert} (as lib/pq and libpq do).
     */
    VERIFY_CA,
    /** TLS with chain and host name verified: PostgreSQL {@code sslmode=verify-full}; MySQL {@code tls=true}. */
    VERIFY_FULL;

    /** Whether the connection is encrypted or not made at all. */
    public boolean required() {
        return this != DISABLED && this != PREFERRED;
    }
}
