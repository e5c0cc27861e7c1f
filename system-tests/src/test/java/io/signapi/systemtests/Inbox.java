package io.signapi.systemtests;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;

/**
 * One mailbox of the stack's GreenMail, read through GreenMail's web API
 * ({@code GET /api/user/{address}/messages/INBOX}). A background poll notes when each message was first seen: the
 * API has no arrival time, so {@link Mail#seenAt()} is the arrival plus at most {@link #POLL}.
 */
final class Inbox implements AutoCloseable {

    static final Duration POLL = Duration.ofMillis(250);

    /** One mail as first seen. */
    record Mail(String uid, String messageId, String subject, String text, Instant seenAt) {

        /** The request id from {@code Message-ID: <{requestId}@signapi.local>}. */
        String requestId() {
            String id = messageId == null ? "" : messageId.replaceAll("[<>]", "");
            int at = id.indexOf('@');
            return at < 0 ? id : id.substring(0, at);
        }
    }

    private final String url;
    private final Map<String, Mail> seen = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean open = true;

    Inbox(int apiPort, String address) {
        this.url = "http://127.0.0.1:" + apiPort + "/api/user/" + address + "/messages/INBOX";
        poller = Thread.ofVirtual().name("inbox-" + address).start(() -> {
            while (open) {
                try {
                    pollOnce();
                } catch (RuntimeException e) {
                    if (open) {
                        throw e;
                    }
                    return;  // closed while a poll was under way
                }
                LockSupport.parkNanos(POLL.toNanos());
            }
        });
    }

    private void pollOnce() {
        Http.Answer answer = Http.get(url);
        if (answer.status() != 200) {
            return;  // no mail yet: GreenMail knows the user only once a mail arrived
        }
        Instant now = Instant.now();
        for (JsonNode m : answer.json()) {
            String uid = m.path("uid").asString();
            seen.computeIfAbsent(uid, u -> new Mail(u, m.path("Message-ID").asString(), m.path("subject").asString(),
                    m.path("mimeMessage").asString(), now));
        }
    }

    /** Every mail seen so far, in the order first seen. */
    List<Mail> mails() {
        pollOnce();
        List<Mail> all = new ArrayList<>(seen.values());
        all.sort((a, b) -> a.seenAt().compareTo(b.seenAt()));
        return all;
    }

    int count() {
        return seen.size();
    }

    @Override
    public void close() {
        open = false;
        poller.interrupt();
    }
}
