package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Recognises the two ways TLS keeps a connection from being made, which no retry fixes, and says
 * what to change in the URL: the server offers no TLS while the URL requires it, or the server's
 * certificate does not verify.
 */
final class Tls {
    /** What pgjdbc, MariaDB Connector/J and MySQL Connector/J say when the server has no TLS. */
    private static final List<String> NO_TLS = List.of("the server does not support ssl",
            "ssl not enabled in the server", "ssl connection required, but not provided by server");

    private Tls() {
    }

    /** Whether the failure is the server offering no TLS to a connection that requires it. */
    static boolean serverLacksTls(Throwable failure) {
        for (Throwable t : FailureClassifier.chain(failure)) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (NO_TLS.stream().anyMatch(m::contains)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the server's certificate did not verify: a certificate exception, or the drivers'
     * words for a chain or host name that fails ({@code PKIX path building failed}, pgjdbc's
     * {@code could not be verified}), anywhere in the chain.
     */
    static boolean verificationFailed(Throwable failure) {
        for (Throwable t : FailureClassifier.chain(failure)) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof CertificateException || t instanceof SSLPeerUnverifiedException
                    || t instanceof SSLException && (m.contains("pkix") || m.contains("certificate"))
                    || m.contains("could not be verified")) {
                return true;
            }
        }
        return false;
    }

    /** Why the connection needs TLS the server lacks, and the two ways out. */
    static String lacksTlsAdvice(DatabaseUrl url, String driverMessage) {
        if (url.dialect() == Dialect.POSTGRES) {
            String sslmode = url.query().get("sslmode");
            String asked = sslmode == null || sslmode.isEmpty()
                    ? "the URL has no sslmode, which means sslmode=require (encrypted, as with Atlas' lib/pq)"
                    : "the URL's sslmode=" + sslmode + " requires it";
            return "the server does not offer TLS (" + driverMessage + ") and " + asked + "; enable TLS"
                    + " (ssl = on) on the server, or, to connect without encryption, say so in the URL with"
                    + " sslmode=disable (e.g. " + withParameter(url, "sslmode=disable") + ")";
        }
        return "the server does not offer TLS (" + driverMessage + ") and the URL's tls=" + url.query().get("tls")
                + " requires it; enable TLS on the server, or, to connect without encryption, remove tls from the"
                + " URL or write tls=preferred";
    }

    /** Why the certificate was refused, and how to trust it or not verify it. */
    static String verificationAdvice(DatabaseUrl url, String driverMessage) {
        if (url.dialect() == Dialect.POSTGRES) {
            return "the TLS handshake failed (" + driverMessage + "); the URL asks for the server's certificate to"
                    + " be verified (sslmode=" + url.query().getOrDefault("sslmode", "require") + "): name the CA"
                    + " that signed it with sslrootcert=/path/to/ca.pem, or, to encrypt without verifying, use"
                    + " sslmode=require without sslrootcert";
        }
        return "the TLS handshake failed (" + driverMessage + "); with tls=" + url.query().get("tls") + " the"
                + " server's certificate must verify against the JVM's trust store: add its CA there, or use"
                + " tls=skip-verify to encrypt without verifying";
    }

    private static String withParameter(DatabaseUrl url, String parameter) {
        String shown = url.redacted();
        return shown + (shown.contains("?") ? "&" : "?") + parameter;
    }
}
