package io.opsbot.cluster.http;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A failed TLS handshake in words an operator acts on: a server certificate no trusted CA signed, one out of its
 * validity period, one for another host name. The JDK's own messages ("PKIX path building failed: …") name none of
 * that plainly.
 */
final class TlsFailure {

    private static final Pattern DN = Pattern.compile("DN: ([^\\n]+)");
    private static final Pattern NAMES = Pattern.compile("subjectAltNames: \\[([^\\]]*)]");
    private static final Pattern HOST = Pattern.compile("^Hostname (\\S+) not verified");

    private TlsFailure() {
    }

    /** What was wrong, e.g. "its certificate has expired (NotAfter: …)". */
    static String describe(SSLException e) {
        if (e instanceof SSLPeerUnverifiedException && e.getMessage() != null) {
            Matcher host = HOST.matcher(e.getMessage());
            if (host.find()) {
                Matcher dn = DN.matcher(e.getMessage());
                Matcher names = NAMES.matcher(e.getMessage());
                return "its certificate" + (dn.find() ? " (" + dn.group(1).strip() + ")" : "") + " is not for " + host.group(1)
                        + (names.find() ? " (it names " + (names.group(1).isBlank() ? "no host" : names.group(1)) + ")" : "");
            }
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException expired) {
                return "its certificate has expired (" + expired.getMessage() + ")";
            }
            if (cause instanceof CertificateNotYetValidException early) {
                return "its certificate is not valid yet (" + early.getMessage() + ")";
            }
            if (cause instanceof CertPathValidatorException invalid
                    && (invalid.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || invalid.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                boolean expired = invalid.getReason() == CertPathValidatorException.BasicReason.EXPIRED;
                X509Certificate cert = invalid.getCertPath() != null && invalid.getIndex() >= 0
                        && invalid.getCertPath().getCertificates().get(invalid.getIndex()) instanceof X509Certificate x ? x : null;
                if (cert == null) {
                    return expired ? "its certificate has expired" : "its certificate is not valid yet";
                }
                String whose = cert.getSubjectX500Principal().getName();
                return expired
                        ? "its certificate (" + whose + ") has expired (valid until " + cert.getNotAfter().toInstant() + ")"
                        : "its certificate (" + whose + ") is not valid yet (valid from " + cert.getNotBefore().toInstant() + ")";
            }
            if (cause.getClass().getName().endsWith("SunCertPathBuilderException")
                    || String.valueOf(cause.getMessage()).contains("unable to find valid certification path")) {
                return "its certificate is not signed by a CA opsbot trusts for it";
            }
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
