# shellcheck shell=bash
# ./stack topic: a topic as JSON lines. The apps create their topics at start-up; this file names none.
# Sourcing it only defines functions.

cmd_topic() {
    [[ $# -ge 1 ]] || die "usage: ./stack topic TOPIC [--follow]"
    find_jdk
    port_open "$KAFKA_PORT" || die "Kafka is not answering on $BOOTSTRAP ('./stack up' starts it)"
    ensure_dirs
    ensure_runtime
    local status=0
    kafka_tool dump "$BOOTSTRAP" "$@" || status=$?
    ((status == 3)) && warn "no topic $1 yet: see the line above ('./stack topics' lists them)"
    return "$status"
}

cmd_topics() { # the topics the broker has
    find_jdk
    port_open "$KAFKA_PORT" || die "Kafka is not answering on $BOOTSTRAP ('./stack up' starts it)"
    ensure_dirs
    ensure_runtime
    kafka_tool list "$BOOTSTRAP"
}
