package io.signapi.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import jakarta.mail.internet.AddressException;

class EmailAddressTest {

    @Test
    void acceptsOnePlainAddress() throws Exception {
        assertThat(EmailSender.recipient("alice@example.com").getAddress()).isEqualTo("alice@example.com");
    }

    @Test
    void refusesLineBreaksListsAndGroups() {
        for (String email : new String[] {"alice@example.com\r\nBcc: mallory@example.com", "alice@example.com\n",
                "alice@example.com, mallory@example.com", "friends: alice@example.com;", "not an address", ""}) {
            assertThatThrownBy(() -> EmailSender.recipient(email)).as(email).isInstanceOf(AddressException.class);
        }
    }
}
