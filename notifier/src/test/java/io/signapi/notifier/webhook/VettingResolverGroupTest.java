package io.signapi.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VettingResolverGroupTest {

    @Test
    void refusesInternalLiteralsAndNamesUnlessAllowed() {
        try (VettingResolverGroup strict = new VettingResolverGroup(false)) {
            for (String host : new String[] {"127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "[::1]",
                    "::ffff:127.0.0.1", "0x7f.0.0.1", "localhost"}) {
                assertThatThrownBy(() -> strict.vetted(host)).as(host).isInstanceOf(RefusedAddressException.class);
            }
        }
    }

    @Test
    void keepsTheNameWithTheVettedAddress() throws Exception {
        try (VettingResolverGroup open = new VettingResolverGroup(true)) {
            assertThat(open.vetted("localhost")).isNotEmpty()
                    .allSatisfy(address -> {
                        assertThat(address.getHostName()).isEqualTo("localhost");
                        assertThat(address.isLoopbackAddress()).isTrue();
                    });
            assertThat(open.vetted("93.184.215.14")).singleElement()
                    .satisfies(address -> assertThat(address.getHostAddress()).isEqualTo("93.184.215.14"));
        }
    }
}
