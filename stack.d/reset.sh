# shellcheck shell=bash
# ./stack reset: drops this stack's data only — its Kafka log, its database STACK_DB, the keys with the
# project's prefixes in its Redis db STACK_REDIS_DB. Sourcing this file only defines functions.

redis_prefixes() { # the project's Redis key prefixes, one per line, from the code (io.signapi.common.RedisKeys)
    local jar; jar=$(common_jar)
    [[ -f "$jar" ]] || ensure_built
    "$JAVA_HOME/bin/java" -Xmx32m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$jar" io.signapi.common.RedisKeys
}

redis_delete_prefixes() { # prefixes...: prints how many keys it deleted in this stack's Redis db
    local p total=0 n
    for p in "$@"; do
        [[ "$p" =~ ^[a-z-]+:$ ]] || die "unexpected Redis key prefix from RedisKeys: '$p'"
        n=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$REDIS_DB" --scan --pattern "$p*" \
            | xargs -r -d '\n' -n 500 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$REDIS_DB" UNLINK \
            | awk '{ s += $1 } END { print s + 0 }')
        total=$((total + n))
    done
    echo "$total"
}

cmd_reset() {
    find_jdk
    guard_identity
    ensure_dirs
    load_settings_quietly
    local s was=() apps=() prefixes=()
    mapfile -t prefixes < <(redis_prefixes) || true
    ((${#prefixes[@]})) || die "could not read the Redis key prefixes from $(rel "$(common_jar)")"
    mapfile -t was < <(running_units)
    for s in ${was[@]+"${was[@]}"}; do is_app "$(unit_service "$s")" && apps+=("$s"); done
    save_identity
    # Running apps hold the database, consumer positions and caches: they stop first and start again at the end.
    ((${#apps[@]})) && stop_svcs "${apps[@]}"

    local kafka_was=0
    our_pid kafka >/dev/null && { kafka_was=1; stop_svcs kafka; }
    if port_open "$KAFKA_PORT"; then
        warn "Kafka at $BOOTSTRAP is not this stack's: its topics are left alone"
    else
        rm -rf "$KAFKA_DIR/data"
        say "Kafka: log directory of $(rel "$STATE") wiped (all topics, records and consumer offsets)"
    fi

    local own_mysql=0
    if ! port_open "$MYSQL_PORT" && [[ -d "$STATE/mysql/mysql" ]]; then ensure_mysql; own_mysql=1; fi
    if port_open "$MYSQL_PORT"; then
        mysql_client -e "DROP DATABASE IF EXISTS \`$DB_NAME\`" \
            || die "could not drop the database $DB_NAME (is the mariadb or mysql client installed? apt install mariadb-client)"
        say "MySQL: database $DB_NAME dropped (the apps' Flyway creates it again)"
    else
        say "MySQL: not running, nothing to drop"
    fi
    ((own_mysql)) && stop_owned_infra

    if ! command -v redis-cli >/dev/null; then
        warn "Redis: redis-cli is not installed (apt install redis-tools): no keys deleted"
    elif port_open "$REDIS_PORT"; then
        say "Redis: deleted $(redis_delete_prefixes "${prefixes[@]}") keys (${prefixes[*]}) in db $REDIS_DB"
    else
        say "Redis: not running, no keys to delete"
    fi

    mail_purge && say "mail: all mailboxes purged"
    if our_pid upstream-simulator >/dev/null; then
        [[ $(http "http://127.0.0.1:$SIMULATOR_PORT/__sim/reset" -X POST) == 2* ]] && say "simulator: counters and call log cleared"
    fi

    if ((kafka_was)); then
        ensure_runtime
        start_svc kafka
        wait_ready kafka || die "Kafka did not start again; see $(rel "$LOGS/kafka.log")"
    fi
    if ((${#apps[@]})); then
        for s in "${apps[@]}"; do start_svc "$s"; done
        say "starting ${apps[*]} again"
        wait_ready "${apps[@]}" || die "not every app came back; './stack status' shows which"
    fi
    ((${#was[@]})) && { say ""; print_table $(listed_services); }
    return 0
}
