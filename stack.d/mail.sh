# shellcheck shell=bash
# ./stack mail: GreenMail as the SMTP/IMAP sink. Sourcing this file only defines functions.

mail_api_port() { # GreenMail's web API: the configured port, or the next free one, kept while the stack runs
    local f="$RUN/mail.api-port" p
    if [[ -f "$f" ]]; then cat "$f"; return; fi
    for ((p = MAIL_API_PORT_FIRST; p < MAIL_API_PORT_FIRST + 20; p++)); do
        port_open "$p" || { echo "$p" > "$f"; echo "$p"; return; }
    done
    die "no free port in $MAIL_API_PORT_FIRST-$((MAIL_API_PORT_FIRST + 19)) for GreenMail's API"
}

start_mail() {
    rm -f "$RUN/mail.api-port"
    local api; api=$(mail_api_port)
    marker mail
    cds mail
    launch mail "$JAVA_HOME/bin/java" -Xmx128m "${SERIAL_GC[@]}" "${JVM_COMMON[@]}" "${CDS[@]}" "${MARKER[@]}" \
        -Dgreenmail.hostname=127.0.0.1 -Dgreenmail.auth.disabled \
        "-Dgreenmail.smtp.port=$MAIL_SMTP_PORT" -Dgreenmail.smtp.hostname=127.0.0.1 \
        "-Dgreenmail.imap.port=$MAIL_IMAP_PORT" -Dgreenmail.imap.hostname=127.0.0.1 \
        -Dgreenmail.api.hostname=127.0.0.1 "-Dgreenmail.api.port=$api" \
        -jar "$GREENMAIL_JAR"
}

mail_ready() { # GreenMail's own readiness endpoint
    local api; api=$(cat "$RUN/mail.api-port" 2>/dev/null || true)
    [[ -n "$api" && $(http "http://127.0.0.1:$api/api/service/readiness") == 200* ]]
}

mail_purge() {
    local api; api=$(cat "$RUN/mail.api-port" 2>/dev/null || true)
    [[ -n "$api" ]] && our_pid mail >/dev/null && [[ $(http "http://127.0.0.1:$api/api/mail/purge" -X POST) == 200* ]]
}
