# shellcheck shell=bash
# ./stack apps: building, starting the simulator and the three apps (any instance), readiness, the status
# table. Sourcing this file only defines functions.

svc_jar() { # service
    local v; v=$(project_version)
    case "$1" in
        upstream-simulator) echo "$ROOT/upstream-simulator/target/upstream-simulator-$v-exec.jar" ;;
        *) echo "$ROOT/$1/target/$1-$v.jar" ;;
    esac
}

common_jar() { echo "$ROOT/common/target/common-$(project_version).jar"; }

jars_state() { # prints "missing", "stale" or "fresh"
    local s jar oldest=""
    for s in upstream-simulator "${APPS[@]}"; do
        jar=$(svc_jar "$s")
        [[ -f "$jar" ]] || { echo missing; return; }
        [[ -z "$oldest" || "$jar" -ot "$oldest" ]] && oldest=$jar
    done
    [[ -f $(common_jar) ]] || { echo missing; return; }
    if [[ -n $(find "$ROOT" \( -path "$STATE" -o -path "$ROOT/.stack*" -o -path '*/target' -o -path "$ROOT/.git" \) -prune -o \
            \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$oldest" -print -quit) ]]; then
        echo stale
    else
        echo fresh
    fi
}

ensure_built() {
    local state; state=$(jars_state)
    [[ "$state" == fresh ]] && return 0
    local u running=()
    for u in $(running_units); do [[ -f $(svc_jar "$(unit_service "$u")") ]] && is_app_or_simulator "$u" && running+=("$u"); done
    if [[ "$state" == stale && ${#running[@]} -gt 0 ]]; then
        # Rebuilding would replace jars under running JVMs; they keep the build they started with.
        warn "sources changed since the jars were built; running services (${running[*]}) keep the old build — './stack down && ./stack up' picks up the change"
        return 0
    fi
    say "building the jars ($state): ./mvnw -B package -DskipTests  (log: $(rel "$LOGS/build.log"))"
    if ! (cd "$ROOT" && ./mvnw -B package -DskipTests) > "$LOGS/build.log" 2>&1; then
        tail -n 40 "$LOGS/build.log" >&2
        die "the build failed; see $(rel "$LOGS/build.log")"
    fi
}

is_app_or_simulator() { local s; s=$(unit_service "$1"); is_app "$s" || [[ "$s" == upstream-simulator ]]; }

extracted_jar() { # service: its jar unpacked to $STACK_HOME/apps/<service> (class-data sharing needs plain jars), re-done when the build changes
    local jar dir="$STATE/apps/$1"
    jar=$(svc_jar "$1")
    [[ -f "$jar" ]] || die "$(rel "$jar") is missing; './stack up' builds it"
    if [[ ! -f "$dir/.extracted" || "$jar" -nt "$dir/.extracted" ]]; then
        rm -rf "$dir" "$STATE/cds/$1.jsa"
        "$JAVA_HOME/bin/java" -Xmx128m -Djarmode=tools -jar "$jar" extract --destination "$dir" --application-filename app.jar \
            > "$LOGS/extract.log" 2>&1 || die "could not unpack $(rel "$jar"); see $(rel "$LOGS/extract.log")"
        touch "$dir/.extracted"
    fi
    echo "$dir/app.jar"
}

instance_id_var() { # service: the environment name of its <app>.instance-id setting
    case "$1" in
        api-gateway) echo GATEWAY_INSTANCE_ID ;;
        sign-worker) echo WORKER_INSTANCE_ID ;;
        notifier) echo NOTIFIER_INSTANCE_ID ;;
    esac
}

# The settings that tie a process to this stack's ports and data; they win over the same names in the
# environment. Unset instance ids keep the apps' default, unique per process; a set one gets "-N" on instance N.
app_env() { # unit: fills APP_ENV
    local s i var
    s=$(unit_service "$1") i=$(unit_instance "$1")
    APP_ENV=("SERVER_PORT=$(svc_port "$1")")
    [[ "$s" == upstream-simulator ]] && return 0
    APP_ENV+=(
        "SPRING_KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP"
        "SPRING_R2DBC_URL=r2dbc:mysql://127.0.0.1:$MYSQL_PORT/$DB_NAME"
        "SPRING_FLYWAY_URL=jdbc:mariadb://127.0.0.1:$MYSQL_PORT/$DB_NAME?createDatabaseIfNotExist=true"
        "SPRING_DATA_REDIS_HOST=127.0.0.1" "SPRING_DATA_REDIS_PORT=$REDIS_PORT" "SPRING_DATA_REDIS_DATABASE=$REDIS_DB"
        "SPRING_MAIL_HOST=127.0.0.1" "SPRING_MAIL_PORT=$MAIL_SMTP_PORT")
    [[ -n "${UPSTREAM_BASE_URL:-}" ]] || APP_ENV+=("UPSTREAM_BASE_URL=http://127.0.0.1:$SIMULATOR_PORT")
    var=$(instance_id_var "$s")
    [[ -n "${!var:-}" && "$i" -gt 1 ]] && APP_ENV+=("$var=${!var}-$i")
    return 0
}

start_java_app() { # unit
    local unit=$1 s heap=${STACK_APP_HEAP:-256m} gc=("${SERIAL_GC[@]}") jar
    s=$(unit_service "$unit")
    [[ "$s" == upstream-simulator ]] && heap=${STACK_SIMULATOR_HEAP:-128m}
    # STACK_GATEWAY_GC is split into words on purpose: it may hold several options.
    [[ "$s" == api-gateway ]] && heap=${STACK_GATEWAY_HEAP:-512m} gc=(${STACK_GATEWAY_GC:--XX:+UseParallelGC})
    jar=$(extracted_jar "$s")
    marker "$unit"
    cds "$s"
    app_env "$unit"
    # STACK_JAVA_OPTS is split into words on purpose: extra JVM options for every app.
    launch "$unit" env "${APP_ENV[@]}" "$JAVA_HOME/bin/java" "-Xmx$heap" "${gc[@]}" "${JVM_COMMON[@]}" "${CDS[@]}" \
        "${MARKER[@]}" ${STACK_JAVA_OPTS:-} -jar "$jar"
}

start_svc() { # unit
    case "$1" in
        kafka) start_kafka ;;
        mail) start_mail ;;
        redis) ensure_redis ;;
        mysql) ensure_mysql ;;
        *) start_java_app "$1" ;;
    esac
}

# --- readiness -----------------------------------------------------------------

http() { # url [curl options...]: prints "<status> <body>" (status 000 when nothing answered)
    local url=$1 out; shift
    out=$(curl -s -m 2 -w '\n%{http_code}' "$@" "$url" 2>/dev/null) || true
    printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
}

readiness_reason() { # readiness JSON: the components that are not UP, and the first error given
    local body=$1 parts error
    parts=$(grep -oE '"[A-Za-z0-9_.-]+":\{"status":"[A-Z_]+"' <<<"$body" | sed -E 's/"([^"]+)":\{"status":"([A-Z_]+)"/\1 \2/' \
        | grep -v ' UP$' | paste -sd, - | sed 's/,/, /g') || true
    error=$(grep -oE '"(error|message)":"[^"]{1,160}' <<<"$body" | head -n1 | cut -d'"' -f4) || true
    if [[ -z "$parts" ]]; then parts="components not shown (the readiness group needs show-components: always)"; fi
    printf '%s%s\n' "$parts" "${error:+: $error}"
}

app_readiness() { # port: sets READY (UP, DOWN, OUT_OF_SERVICE, "no answer", ...) and REASON
    local r code body status
    r=$(http "http://127.0.0.1:$1/actuator/health/readiness" -H 'Accept: application/json')
    code=${r%% *} body=${r#* }
    # Jackson 3 sorts members: the group's own status follows its "components", so it is the last one.
    status=$(grep -o '"status":"[A-Z_]*"' <<<"$body" | tail -n1 | cut -d'"' -f4) || true
    REASON=""
    if [[ "$code" == 000 ]]; then
        READY="no answer" REASON="nothing answers on port $1 (starting, or not ours)"
    elif [[ "$code" == 200 && "$status" == UP ]]; then
        READY=UP
    elif [[ -z "$status" ]]; then
        READY="HTTP $code" REASON="no readiness at /actuator/health/readiness"
    else
        # Any answer but 200 is not ready, whichever status was found.
        READY=$status REASON=$(readiness_reason "$body")
        [[ "$READY" == UP ]] && READY=DOWN
    fi
}

simulator_readiness() { # port: the admin endpoint when it exists, else the welcome text with the key
    local r
    REASON=""
    r=$(http "http://127.0.0.1:$1/__sim/stats")
    [[ "${r%% *}" == 200 ]] && { READY=UP; return; }
    r=$(http "http://127.0.0.1:$1/" -H "Authorization: ${UPSTREAM_API_KEY:-local-dev-key}")
    [[ "${r%% *}" == 200 ]] && { READY=UP; return; }
    READY="no answer" REASON="nothing answers on port $1"
}

svc_ready() { # unit: sets READY and REASON; succeeds when UP
    local port; port=$(svc_port "$1")
    case "$(unit_service "$1")" in
        kafka | redis | mysql)
            if port_open "$port"; then READY=UP REASON=""; else READY="no answer" REASON="port $port is closed"; fi ;;
        mail)
            if mail_ready; then READY=UP REASON=""; else READY="no answer" REASON="GreenMail's readiness does not answer"; fi ;;
        upstream-simulator) simulator_readiness "$port" ;;
        *) app_readiness "$port" ;;
    esac
    [[ "$READY" == UP ]]
}

wait_ready() { # units...: waits for all at once; fails naming each that died or did not become ready
    local pending=("$@") failed=() start=$SECONDS s limit=${STACK_START_TIMEOUT:-180}
    while ((${#pending[@]})); do
        local next=()
        for s in "${pending[@]}"; do
            if svc_ready "$s"; then
                continue
            elif ! our_pid "$s" >/dev/null && [[ "$s" != redis && "$s" != mysql ]]; then
                failed+=("$s exited during start-up; see $(rel "$LOGS/$s.log")")
            elif ((SECONDS - start >= limit)); then
                failed+=("$s is not ready after $limit s ($READY${REASON:+: $REASON}); see $(rel "$LOGS/$s.log")")
            else
                next+=("$s")
            fi
        done
        pending=(${next[@]+"${next[@]}"})
        ((${#pending[@]})) && sleep 0.5
    done
    ((${#failed[@]} == 0)) && return 0
    for s in "${failed[@]}"; do warn "FAILED: $s"; done
    return 1
}

# --- the status table ---------------------------------------------------------------

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

TABLE_ROW='%-20s %-8s %-6s %-14s %9s  %s%s\n'

print_table() { # units...: one row each, plus redis and mysql when they are the machine's own; ALL_READY=0 if one is not
    local s pid port rss log footer=${TABLE_FOOTER:-1} total=0
    # shellcheck disable=SC2059
    printf "$TABLE_ROW" SERVICE PID PORT READINESS RSS LOG ""
    ALL_READY=1
    for s in "$@"; do
        port=$(svc_port "$s")
        log=$(rel "$LOGS/$s.log")
        if pid=$(our_pid "$s"); then
            svc_ready "$s" || ALL_READY=0
            rss=$(rss_kb "$pid"); rss=${rss:-0}
            total=$((total + rss))
            rss="$((rss / 1024)) MiB"
        else
            pid=- READY="not running" REASON="" rss=- ALL_READY=0
        fi
        # shellcheck disable=SC2059
        printf "$TABLE_ROW" "$s" "$pid" "$port" "$READY" "$rss" "$log" "${REASON:+  ($REASON)}"
    done
    ((footer)) || return 0
    for s in redis mysql; do
        printf '%s\n' "$@" | grep -xF "$s" >/dev/null && continue
        svc_ready "$s" || ALL_READY=0
        # shellcheck disable=SC2059
        printf "$TABLE_ROW" "$s" machine "$(svc_port "$s")" "$READY" - "(the machine's own)" ""
    done
    # shellcheck disable=SC2059
    printf "$TABLE_ROW" total "" "" "" "$((total / 1024)) MiB" "" ""
    local api; api=$(cat "$RUN/mail.api-port" 2>/dev/null || true)
    [[ -n "$api" ]] && our_pid mail >/dev/null && say "mail: SMTP $MAIL_SMTP_PORT, IMAP $MAIL_IMAP_PORT, inboxes at http://127.0.0.1:$api/api/user/<address>/messages/INBOX"
    say "data: database $DB_NAME on 127.0.0.1:$MYSQL_PORT, Redis db $REDIS_DB on 127.0.0.1:$REDIS_PORT, home $(rel "$STATE")"
}
