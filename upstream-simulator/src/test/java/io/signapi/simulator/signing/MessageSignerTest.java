package io.signapi.simulator.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class MessageSignerTest {

    private static final MessageSigner SIGNER = MessageSigner.withNewKey();

    @Test
    void signaturesAreDeterministicUrlSafeBase64WithPadding() {
        String signature = SIGNER.sign("hello");

        assertThat(signature).hasSize(344).matches("[A-Za-z0-9_-]{342}==").isEqualTo(SIGNER.sign("hello"));
        assertThat(SIGNER.sign("hello!")).isNotEqualTo(signature);
    }

    @Test
    void verifiesOnlyTheSignatureOfTheSameMessageAndKey() {
        String signature = SIGNER.sign("hello");

        assertThat(SIGNER.verify("hello", signature)).isTrue();
        assertThat(SIGNER.verify("hullo", signature)).isFalse();
        assertThat(SIGNER.verify("hello", signature.replace('=', 'A'))).isFalse();
        assertThat(SIGNER.verify("hello", "%%%")).isFalse();
        assertThat(MessageSigner.withNewKey().verify("hello", signature)).isFalse();
    }

    @Test
    void readsAPkcs8PemKeyAsOpensslWritesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "genpkey", "-algorithm", "RSA",
                "-pkeyopt", "rsa_keygen_bits:2048", "-out", file.toString()).redirectErrorStream(true).start();
        assertThat(openssl.waitFor()).isZero();

        MessageSigner signer = MessageSigner.fromPemFile(file);

        assertThat(verifies(signer.publicKey(), "from openssl", signer.sign("from openssl"))).isTrue();
        assertThat(MessageSigner.fromPemFile(file).sign("again")).isEqualTo(signer.sign("again"));
    }

    @Test
    void rejectsAFileWithoutAPrivateKeyNamingTheSetting(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-key.pem"), "hello");

        assertThatThrownBy(() -> MessageSigner.fromPemFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("simulator.key-file");
    }

    /** The PEM text ({@code BEGIN PRIVATE KEY}) of a private key. */
    public static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** Whether a URL-safe base64 signature is valid for the message under the key, checked with plain JCA. */
    public static boolean verifies(PublicKey key, String message, String signature) throws GeneralSecurityException {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(key);
        rsa.update(message.getBytes(StandardCharsets.UTF_8));
        return rsa.verify(Base64.getUrlDecoder().decode(signature));
    }
}
