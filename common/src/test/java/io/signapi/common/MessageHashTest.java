package io.signapi.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageHashTest {

    @Test
    void hashesUtf8BytesAsLowerCaseHex() {
        assertThat(MessageHash.of("hello"))
                .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }

    @Test
    void distinguishesNonAsciiMessages() {
        assertThat(MessageHash.of("é")).hasSize(64).isNotEqualTo(MessageHash.of("e"));
    }
}
