# shellcheck shell=bash
# ./stack commands: test, up, down, status, logs, kill, stop, start, env. Sourcing this file only defines functions.

cmd_test() {
    find_jdk
    say "JDK: $JAVA_HOME"
    ensure_dirs
    trap stop_owned_infra EXIT
    ensure_redis
    ensure_mysql
    validate_compose
    local status=0
    (cd "$ROOT" && ./mvnw -B verify "$@") || status=$?
    ((status == 0)) || exit "$status"
    if [[ "${STACK_SMOKE:-}" == 0 || ($# -gt 0 && "${STACK_SMOKE:-}" != 1) ]]; then
        say "smoke test of ./stack up not run (it runs with the whole suite; STACK_SMOKE=1 forces it, STACK_SMOKE=0 skips it)"
        exit 0
    fi
    "$ROOT/scripts/smoke-test.sh" || exit 1
}

# The compose files through Debian's docker-compose 1.29 parser (no engine needed); common's ComposeFilesTest checks
# their content with the rest of the suite. Installed if missing; without apt or a network the step is skipped, loudly.
validate_compose() {
    if ! command -v docker-compose >/dev/null; then
        if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
            say "installing docker-compose (the compose file parser) with apt-get"
            apt-get install -y -qq docker-compose >/dev/null 2>&1 \
                || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq docker-compose >/dev/null 2>&1; } || true
        fi
        if ! command -v docker-compose >/dev/null; then
            warn "SKIPPED: docker-compose is not installed and could not be (apt-get unreachable or not root);"
            warn "the compose files are checked by ComposeFilesTest only"
            return 0
        fi
    fi
    local files profile
    for files in "docker-compose.yml" "docker-compose.yml docker-compose.mysql8.yml"; do
        # Without a profile, and with the observability profile (Prometheus and Grafana).
        for profile in "" observability; do
            local args=() f
            for f in $files; do args+=(-f "$ROOT/$f"); done
            [[ -n "$profile" ]] && args+=(--profile "$profile")
            # .env.example as the env file: the documented values, never a developer's own .env.
            (cd "$ROOT" && docker-compose --env-file "$ROOT/.env.example" "${args[@]}" config -q) \
                || die "docker-compose config rejects $files${profile:+ with --profile $profile}"
            say "compose: $files${profile:+ --profile $profile} valid (docker-compose $(docker-compose version --short 2>/dev/null))"
        done
    done
}

port_conflicts() { # units...: fails, naming each, if a port of a unit that is not running is taken
    local conflicts=() s p
    for s in "$@"; do
        our_pid "$s" >/dev/null && continue
        for p in $(svc_ports "$s"); do
            port_open "$p" && conflicts+=("port $p ($s) is in use by $(port_holder "$p")")
        done
    done
    ((${#conflicts[@]} == 0)) && return 0
    for p in "${conflicts[@]}"; do warn "$p"; done
    return 1
}

cmd_up() {
    local t0; t0=$(now)
    find_jdk
    command -v curl >/dev/null || die "curl is needed for health checks (apt install curl)"
    guard_identity
    ensure_dirs
    # A stack that is partly up keeps the settings it was started with, unless set again now.
    if any_running; then load_settings merge; else load_settings; fi
    ensure_webhook_secret
    save_identity
    ensure_built
    ensure_runtime

    local wanted=(kafka mail) s
    if [[ -n "${UPSTREAM_BASE_URL:-}" ]]; then
        say "UPSTREAM_BASE_URL is set: no simulator; the apps call $UPSTREAM_BASE_URL"
    else
        wanted+=(upstream-simulator)
    fi
    wanted+=("${APPS[@]}")
    port_conflicts "${wanted[@]}" || die "cannot start the stack while these ports are taken; stop those processes (or their './stack down') first"

    ensure_redis
    ensure_mysql
    for s in ${STARTED_INFRA[@]+"${STARTED_INFRA[@]}"}; do record_service "$s"; done

    local started=() running=()
    start_group() {
        for s in "$@"; do
            record_service "$s"
            if our_pid "$s" >/dev/null; then running+=("$s"); else start_svc "$s"; started+=("$s"); fi
        done
    }
    start_group kafka mail
    [[ " ${wanted[*]} " == *" upstream-simulator "* ]] && start_group upstream-simulator
    ((${#started[@]})) && say "starting ${started[*]}"
    # The apps' start-up probe asks the simulator's GET / (the safety interlock): it answers before they start.
    local first=(kafka)
    [[ " ${wanted[*]} " == *" upstream-simulator "* ]] && first+=(upstream-simulator)
    wait_ready "${first[@]}" || die "not ready (see above): ${first[*]}; the apps were not started"
    local before=${#started[@]}
    start_group "${APPS[@]}"
    ((${#started[@]} > before)) && say "starting ${started[*]:before}"

    local ok=0
    say "waiting until every service is ready"
    wait_ready "${wanted[@]}" || ok=1
    say ""
    print_table $(listed_services)
    say ""
    ((${#running[@]})) && say "already running, left alone: ${running[*]}"
    if ((ok == 0)); then
        say "the stack is up in $(since "$t0") s; './stack down' stops it"
    else
        warn "the stack is not fully up after $(since "$t0") s; what did start is still running ('./stack down' stops it)"
    fi
    return "$ok"
}

cmd_down() {
    local t0 u units apps=() middle=() infra=() stopped=0
    t0=$(now)
    mapfile -t units < <(running_units)
    for u in ${units[@]+"${units[@]}"}; do
        stopped=1
        case "$(unit_service "$u")" in
            kafka) ;;
            redis | mysql) listed_services | grep -xF "$u" >/dev/null && infra+=("$u") ;;
            upstream-simulator | mail) middle+=("$u") ;;
            *) apps+=("$u") ;;
        esac
    done
    # The broker after its clients; Redis and MariaDB last, and only when ./stack up started them.
    ((${#apps[@]})) && stop_svcs "${apps[@]}"
    ((${#middle[@]})) && stop_svcs "${middle[@]}"
    stop_svcs kafka
    ((${#infra[@]})) && stop_svcs "${infra[@]}"
    rm -f "$SERVICES_FILE" "$SETTINGS_FILE" "$RUN/mail.api-port"
    if ((stopped)); then say "the stack of $(rel "$STATE") is stopped in $(since "$t0") s"; else say "nothing of the stack of $(rel "$STATE") was running"; fi
}

cmd_status() { # [SERVICE [--instance N]]: exit 0 only if every listed unit is ready
    load_settings_quietly
    local units
    if (($#)); then
        parse_unit_args "$@"
        units=("$UNIT")
        TABLE_FOOTER=0 print_table "${units[@]}"
    else
        mapfile -t units < <(listed_services)
        print_table "${units[@]}"
    fi
    ((ALL_READY)) || { [[ -s "$SERVICES_FILE" ]] || say "the stack of $(rel "$STATE") is not running ('./stack up' starts it)"; return 1; }
}

cmd_logs() { # SERVICE [--instance N] [tail options]
    parse_unit_args "$@"
    local log="$LOGS/$UNIT.log"
    [[ -f "$log" ]] || die "no log yet: $(rel "$log")"
    if ((${#REST[@]})); then exec tail "${REST[@]}" "$log"; else exec tail -n 100 "$log"; fi
}

cmd_kill() { # SERVICE [--instance N]
    parse_unit_args "$@"
    local pid i
    pid=$(our_pid "$UNIT") || die "$UNIT is not running under this stack's ./stack (nothing killed)"
    kill -9 "$pid"
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$RUN/$UNIT.pid"
    [[ "$UNIT" == mail ]] && rm -f "$RUN/mail.api-port"   # a restart picks a free one again
    say "killed $UNIT (pid $pid, SIGKILL)"
}

# The graceful counterpart of kill: SIGTERM, then the wait for the process to exit, at most STACK_STOP_TIMEOUT s.
cmd_stop() { # SERVICE [--instance N]
    parse_unit_args "$@"
    local pid i t0 limit; limit=$(stop_timeout)
    pid=$(our_pid "$UNIT") || die "$UNIT is not running under this stack's ./stack (nothing stopped)"
    t0=$(now)
    kill "$pid"
    for ((i = 0; i < limit * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$RUN/$UNIT.pid"
        die "$UNIT (pid $pid) did not exit within $limit s of SIGTERM: SIGKILL sent"
    fi
    rm -f "$RUN/$UNIT.pid"
    [[ "$UNIT" == mail ]] && rm -f "$RUN/mail.api-port"   # a restart picks a free one again
    ((INSTANCE > 1)) && forget_service "$UNIT"   # an extra instance, stopped on purpose, is no longer part of the stack
    say "stopped $UNIT (pid $pid, SIGTERM) in $(since "$t0") s"
}

cmd_start() { # SERVICE [--instance N]
    parse_unit_args "$@"
    local s=$UNIT p
    find_jdk
    guard_identity
    ensure_dirs
    load_settings merge
    ensure_webhook_secret >/dev/null
    save_identity
    if our_pid "$s" >/dev/null; then
        say "$s is already running"
    else
        if [[ "$s" != redis && "$s" != mysql ]]; then
            for p in $(svc_ports "$s"); do port_open "$p" && die "port $p is in use by $(port_holder "$p")"; done
        fi
        [[ "$s" == kafka || "$s" == mail ]] && ensure_runtime
        [[ "$s" == kafka || "$s" == mail || "$s" == redis || "$s" == mysql ]] || ensure_built
        start_svc "$s"
        [[ "$s" == redis || "$s" == mysql ]] && { ((${#STARTED_INFRA[@]})) || die "$s is already answering on port $(svc_port "$s") (the machine's own)"; }
        record_service "$s"
        say "starting $s"
    fi
    wait_ready "$s" || exit 1
    TABLE_FOOTER=0 print_table "$s"
}

cmd_env() { # this stack's ports and data as shell assignments, for scripts and the system tests
    cat <<ENV
STACK_HOME=$STATE
STACK_DB=$DB_NAME
STACK_REDIS_DB=$REDIS_DB
STACK_GATEWAY_PORT=$GATEWAY_PORT
STACK_WORKER_PORT=$WORKER_PORT
STACK_NOTIFIER_PORT=$NOTIFIER_PORT
STACK_SIMULATOR_PORT=$SIMULATOR_PORT
STACK_KAFKA_PORT=$KAFKA_PORT
STACK_KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
STACK_SMTP_PORT=$MAIL_SMTP_PORT
STACK_IMAP_PORT=$MAIL_IMAP_PORT
STACK_MAIL_API_PORT=$(cat "$RUN/mail.api-port" 2>/dev/null || echo "$MAIL_API_PORT_FIRST")
STACK_INSTANCE_PORT_STEP=$INSTANCE_PORT_STEP
REDIS_PORT=$REDIS_PORT
MYSQL_PORT=$MYSQL_PORT
ENV
}
