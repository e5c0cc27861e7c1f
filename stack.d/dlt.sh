# shellcheck shell=bash
# ./stack dlt: list a dead-letter topic, and replay its records to their source topic (scripts/KafkaTool.java).
# Sourcing this file only defines functions.

cmd_dlt() {
    local usage="usage: ./stack dlt list TOPIC.dlt | ./stack dlt replay TOPIC.dlt [--request-id ID | --offset PARTITION:OFFSET]"
    [[ $# -ge 2 ]] || die "$usage"
    local action=$1; shift
    case "$action" in
        list) [[ $# -eq 1 ]] || die "$usage" ;;
        replay) [[ $# -eq 1 || $# -eq 3 ]] || die "$usage" ;;
        *) die "$usage" ;;
    esac
    find_jdk
    port_open "$KAFKA_PORT" || die "Kafka is not answering on $BOOTSTRAP ('./stack up' starts it)"
    ensure_dirs
    ensure_runtime
    local status=0
    kafka_tool "dlt-$action" "$BOOTSTRAP" "$@" || status=$?
    ((status == 3)) && warn "no topic yet: see the line above ('./stack topics' lists them)"
    return "$status"
}
