package io.signapi.notifier.support;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.signapi.testsupport.FreePorts;

/**
 * One GreenMail SMTP server for the whole test run, on a port fixed at first use so that a test can stop it (an SMTP
 * outage) and start it again where the notifier expects it.
 */
public final class SharedMail {

    private static final ServerSetup SETUP = new ServerSetup(FreePorts.next(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
    private static GreenMail server = started();

    private SharedMail() {
    }

    public static synchronized GreenMail get() {
        return server;
    }

    public static int port() {
        return SETUP.getPort();
    }

    public static synchronized void stop() {
        server.stop();
    }

    /** A fresh server on the same port (no mails kept). */
    public static synchronized void restart() {
        server.stop();
        server = started();
    }

    /** Forgets every mail received so far. */
    public static synchronized void purge() {
        try {
            server.purgeEmailFromAllMailboxes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static GreenMail started() {
        GreenMail mail = new GreenMail(SETUP)
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        mail.start();
        return mail;
    }
}
