package io.signapi.notifier.delivery;

/** A way a result is delivered: the {@code notification.channel} values. */
public enum Channel {
    EMAIL, WEBHOOK
}
