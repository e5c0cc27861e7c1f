# shellcheck shell=bash
# ./stack core: output, the stack's home, ports and data from the environment, processes and settings.
# Sourcing this file only defines functions; stack_config sets the variables the other files use.

say()  { printf '%s\n' "$*"; }
warn() { printf 'stack: %s\n' "$*" >&2; }
die()  { warn "$*"; exit 1; }

rel() { printf '%s\n' "${1#"$ROOT"/}"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- configuration ------------------------------------------------------------

# What makes a home a stack of its own: its ports and its data. Saved in the home, so that a later command
# without the variables (`STACK_HOME=x ./stack reset`) acts on that stack's data and never on the default's.
IDENTITY_VARS=(STACK_PORT_BASE STACK_GATEWAY_PORT STACK_WORKER_PORT STACK_NOTIFIER_PORT STACK_SIMULATOR_PORT
    STACK_KAFKA_PORT STACK_KAFKA_CONTROLLER_PORT STACK_SMTP_PORT STACK_IMAP_PORT STACK_MAIL_API_PORT
    STACK_DB STACK_REDIS_DB REDIS_PORT MYSQL_PORT)

stack_config() { # sets every path, port and name from the environment and the home's saved identity
    local home=${STACK_HOME:-.stack}
    [[ "$home" == /* ]] || home="$ROOT/$home"
    STATE=$(realpath -m "$home")
    RUN="$STATE/run"        # pid files of what this home's ./stack started
    LOGS="$STATE/logs"
    IDENTITY_FILE="$STATE/identity"
    SERVICES_FILE="$RUN/services"     # the units ./stack up (or start) launched, in start order
    SETTINGS_FILE="$RUN/settings"     # the settings ./stack up was given, reused by ./stack start
    KAFKA_DIR="$STATE/kafka"
    KAFKA_LIB="$KAFKA_DIR/lib"
    TOOL_JAR="$KAFKA_DIR/kafka-tool.jar"   # scripts/KafkaTool.java, compiled once
    GREENMAIL_JAR="$STATE/mail/greenmail-standalone.jar"

    IDENTITY_CHANGED=()
    STARTED_INFRA=()        # what ensure_redis/ensure_mysql started in this invocation
    load_identity

    APPS=(api-gateway sign-worker notifier)
    ALL_SERVICES=(kafka mail upstream-simulator "${APPS[@]}")
    INSTANCE_PORT_STEP=100   # instance N of an app listens on its port + (N-1) * 100
    # Small heaps: the whole stack shares a 2-core machine; SerialGC keeps the footprint and GC threads low.
    # The gateway is the exception (start_java_app): it takes bursts, and a small serial heap there promotes
    # in-flight requests and pays ~130 ms full collections, which showed in its p99 (docs/BENCHMARKS.md).
    SERIAL_GC=(-XX:+UseSerialGC)
    JVM_COMMON=(-XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)

    # Unset base: today's fixed numbers. A base B: B+0 gateway, +1 worker, +2 notifier, +5 simulator, +25 SMTP,
    # +43 IMAP, +80 GreenMail's API, +92/+93 Kafka; instances 2, 3, ... of the apps at +100, +200, ...
    local b=${STACK_PORT_BASE:-}
    [[ -z "$b" || "$b" =~ ^[0-9]+$ ]] || die "STACK_PORT_BASE must be a port number, not '$b'"
    GATEWAY_PORT=${STACK_GATEWAY_PORT:-${b:+$((b + 0))}};            GATEWAY_PORT=${GATEWAY_PORT:-5000}
    WORKER_PORT=${STACK_WORKER_PORT:-${b:+$((b + 1))}};              WORKER_PORT=${WORKER_PORT:-5001}
    NOTIFIER_PORT=${STACK_NOTIFIER_PORT:-${b:+$((b + 2))}};          NOTIFIER_PORT=${NOTIFIER_PORT:-5002}
    SIMULATOR_PORT=${STACK_SIMULATOR_PORT:-${b:+$((b + 5))}};        SIMULATOR_PORT=${SIMULATOR_PORT:-5005}
    MAIL_SMTP_PORT=${STACK_SMTP_PORT:-${b:+$((b + 25))}};            MAIL_SMTP_PORT=${MAIL_SMTP_PORT:-3025}
    MAIL_IMAP_PORT=${STACK_IMAP_PORT:-${b:+$((b + 43))}};            MAIL_IMAP_PORT=${MAIL_IMAP_PORT:-3143}
    MAIL_API_PORT_FIRST=${STACK_MAIL_API_PORT:-${b:+$((b + 80))}};   MAIL_API_PORT_FIRST=${MAIL_API_PORT_FIRST:-3080}
    KAFKA_PORT=${STACK_KAFKA_PORT:-${b:+$((b + 92))}};               KAFKA_PORT=${KAFKA_PORT:-9092}
    KAFKA_CONTROLLER_PORT=${STACK_KAFKA_CONTROLLER_PORT:-${b:+$((b + 93))}}
    KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
    REDIS_PORT=${REDIS_PORT:-6379}
    MYSQL_PORT=${MYSQL_PORT:-3306}
    local p
    for p in GATEWAY_PORT WORKER_PORT NOTIFIER_PORT SIMULATOR_PORT MAIL_SMTP_PORT MAIL_IMAP_PORT MAIL_API_PORT_FIRST \
            KAFKA_PORT KAFKA_CONTROLLER_PORT REDIS_PORT MYSQL_PORT; do
        [[ "${!p}" =~ ^[0-9]+$ ]] && ((${!p} > 0 && ${!p} < 65536)) || die "$p is not a port number: '${!p}'"
    done
    BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

    DB_NAME=${STACK_DB:-signapi}
    [[ "$DB_NAME" =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "STACK_DB must be letters, digits and _ only, not '$DB_NAME'"
    REDIS_DB=${STACK_REDIS_DB:-0}
    [[ "$REDIS_DB" =~ ^[0-9]{1,2}$ ]] || die "STACK_REDIS_DB must be a Redis database number, not '$REDIS_DB'"
}

load_identity() { # the saved identity fills the variables that are not set now; IDENTITY_CHANGED names those set differently
    local line name value
    local -A saved=() defaults=([STACK_DB]=signapi [STACK_REDIS_DB]=0 [REDIS_PORT]=6379 [MYSQL_PORT]=3306)
    if [[ -f "$IDENTITY_FILE" ]]; then
        while IFS= read -r line; do
            [[ "$line" =~ ^([A-Z_]+)=([A-Za-z0-9_]*)$ ]] && saved[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
        done < "$IDENTITY_FILE"
    fi
    for name in "${IDENTITY_VARS[@]}"; do
        if [[ -z "${!name+x}" ]]; then
            [[ -n "${saved[$name]+x}" ]] && export "$name=${saved[$name]}"
        elif [[ "${!name}" != "${saved[$name]-${defaults[$name]-}}" ]]; then
            IDENTITY_CHANGED+=("$name")
        fi
    done
    return 0
}

save_identity() { # writes the identity variables that are set, so later commands act on this stack's own data
    local name out=""
    for name in "${IDENTITY_VARS[@]}"; do
        [[ -n "${!name:-}" ]] && out+="$name=${!name}"$'\n'
    done
    mkdir -p "$STATE"
    printf '%s' "$out" > "$IDENTITY_FILE"
}

ensure_dirs() { mkdir -p "$RUN" "$LOGS"; }

# --- services, instances and ports -----------------------------------------------

is_service() {
    local s
    for s in "${ALL_SERVICES[@]}" redis mysql; do [[ "$s" == "$1" ]] && return 0; done
    return 1
}

is_app() { [[ " ${APPS[*]} " == *" $1 "* ]]; }

unit_name() { # service instance: instance 1 keeps the service's name, N > 1 is <service>-N
    if (($2 > 1)); then echo "$1-$2"; else echo "$1"; fi
}

unit_service() { # unit: its service
    if [[ "$1" =~ ^(.*)-([0-9]+)$ ]] && is_service "${BASH_REMATCH[1]}"; then echo "${BASH_REMATCH[1]}"; else echo "$1"; fi
}

unit_instance() { # unit: its instance number
    if [[ "$1" =~ ^(.*)-([0-9]+)$ ]] && is_service "${BASH_REMATCH[1]}"; then echo "${BASH_REMATCH[2]}"; else echo 1; fi
}

svc_port() { # unit: the port it serves (health, API)
    local s i base
    s=$(unit_service "$1") i=$(unit_instance "$1")
    case "$s" in
        kafka) base=$KAFKA_PORT ;;
        mail) base=$MAIL_SMTP_PORT ;;
        upstream-simulator) base=$SIMULATOR_PORT ;;
        api-gateway) base=$GATEWAY_PORT ;;
        sign-worker) base=$WORKER_PORT ;;
        notifier) base=$NOTIFIER_PORT ;;
        redis) base=$REDIS_PORT ;;
        mysql) base=$MYSQL_PORT ;;
        *) return 1 ;;
    esac
    echo $((base + (i - 1) * INSTANCE_PORT_STEP))
}

svc_ports() { # unit: every port it listens on
    case "$1" in
        kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
        mail) echo "$MAIL_SMTP_PORT $MAIL_IMAP_PORT $(cat "$RUN/mail.api-port" 2>/dev/null || true)" ;;
        *) svc_port "$1" ;;
    esac
}

# Parses SERVICE [--instance N] [rest...]: sets UNIT, SERVICE, INSTANCE and REST (the other arguments, in order).
parse_unit_args() {
    [[ $# -ge 1 ]] || die "which service? one of: ${ALL_SERVICES[*]} redis mysql"
    SERVICE=$1; shift
    is_service "$SERVICE" || die "unknown service '$SERVICE'; one of: ${ALL_SERVICES[*]} redis mysql"
    INSTANCE=1 REST=()
    while (($#)); do
        case "$1" in
            --instance) [[ $# -ge 2 ]] || die "--instance needs a number"; INSTANCE=$2; shift 2 ;;
            --instance=*) INSTANCE=${1#--instance=}; shift ;;
            *) REST+=("$1"); shift ;;
        esac
    done
    [[ "$INSTANCE" =~ ^[1-9][0-9]?$ ]] || die "--instance must be a number from 1 to 99, not '$INSTANCE'"
    ((INSTANCE == 1)) || is_app "$SERVICE" || die "only the apps (${APPS[*]}) run more than one instance"
    UNIT=$(unit_name "$SERVICE" "$INSTANCE")
}

# --- processes ------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds
    local i
    for ((i = 0; i < $2 * 10; i++)); do port_open "$1" && return 0; sleep 0.1; done
    return 1
}

cmdline() { tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline"; }

marker() { MARKER=("-Dsignapi.stack.service=$1" "-Dsignapi.stack.home=$STATE"); } # how our_pid recognises our JVMs

# Prints the pid of the unit if this home's ./stack runs it; checks the command line so a reused pid is never taken for ours.
our_pid() {
    local f="$RUN/$1.pid" pid cmd
    [[ -f "$f" ]] || return 1
    pid=$(cat "$f")
    cmd=$(cmdline "$pid") || return 1
    case "$1" in
        # Redis rewrites its command line to "redis-server host:port"; its working directory is the --dir we gave it.
        redis) [[ "$cmd" == redis-server* && $(readlink "/proc/$pid/cwd") == "$STATE/redis" ]] || return 1 ;;
        mysql) [[ "$cmd" == *"$STATE/mysql"* ]] || return 1 ;;
        *) [[ "$cmd" == *"-Dsignapi.stack.service=$1 "* && "$cmd" == *"-Dsignapi.stack.home=$STATE "* ]] || return 1 ;;
    esac
    echo "$pid"
}

running_units() { # every unit with a pid file whose process is ours
    local f u
    for f in "$RUN"/*.pid; do
        [[ -f "$f" ]] || continue
        u=$(basename "$f" .pid)
        our_pid "$u" >/dev/null && echo "$u"
    done
    return 0
}

any_running() { [[ -n $(running_units) ]]; }

listed_services() { # the units of the running stack, or all services when none is recorded
    if [[ -s "$SERVICES_FILE" ]]; then cat "$SERVICES_FILE"; else printf '%s\n' "${ALL_SERVICES[@]}"; fi
}

record_service() { grep -qxF "$1" "$SERVICES_FILE" 2>/dev/null || echo "$1" >> "$SERVICES_FILE"; }

forget_service() { [[ -f "$SERVICES_FILE" ]] && sed -i "/^$1\$/d" "$SERVICES_FILE"; return 0; }

port_holder() { # describes the process listening on a port, if ss can tell
    local line pid
    line=$(ss -ltnpH "sport = :$1" 2>/dev/null | head -n1) || true
    pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line" | head -n1)
    if [[ -z "$pid" ]]; then echo "another process"; return; fi
    local cmd; cmd=$(cmdline "$pid")
    if [[ "$cmd" =~ -Dsignapi\.stack\.home=([^ ]*) ]]; then
        echo "pid $pid, the Sign API stack of ${BASH_REMATCH[1]}"
    else
        echo "pid $pid: ${cmd:0:80}"
    fi
}

launch() { # unit command...: runs it detached, output to $LOGS/<unit>.log (the previous one kept as .log.1)
    local name=$1; shift
    local log="$LOGS/$name.log"
    [[ -f "$log" ]] && mv -f "$log" "$log.1"
    # setsid: the stack outlives the terminal that started it. Descriptors above 2 are closed first: a service must
    # not inherit one that holds a lock (`flock /tmp/signapi-test.lock ./stack up` would stay locked while it runs).
    (close_inherited_fds; exec setsid "$@" </dev/null >"$log" 2>&1) &
    echo $! > "$RUN/$name.pid"
}

close_inherited_fds() { # in a subshell about to exec a service: closes every descriptor above 2
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        [[ "$fd" =~ ^[0-9]+$ ]] && ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

stop_timeout() { echo "${STACK_STOP_TIMEOUT:-40}"; }

stop_svcs() { # units...: SIGTERM to all at once, SIGKILL to any still running after STACK_STOP_TIMEOUT s
    local s pid pids=() i limit; limit=$(stop_timeout)
    for s in "$@"; do
        pid=$(our_pid "$s") || { rm -f "$RUN/$s.pid"; continue; }
        kill "$pid" 2>/dev/null || true
        pids+=("$pid")
        say "stopping $s (pid $pid)"
    done
    for ((i = 0; i < limit * 10; i++)); do
        local alive=0
        for pid in ${pids[@]+"${pids[@]}"}; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill -0 "$pid" 2>/dev/null && { warn "pid $pid did not stop in $limit s: SIGKILL"; kill -9 "$pid" 2>/dev/null || true; }
    done
    for s in "$@"; do rm -f "$RUN/$s.pid"; done
}

# --- settings from the environment ---------------------------------------------

SETTING_PREFIXES='UPSTREAM|GATEWAY|SIGNING|WEBHOOK|SIMULATOR|SPRING|MANAGEMENT|LOGGING|LOG|NOTIFIER|WORKER|REDIS|CACHE|STACK'

# Variables set now win; with "merge", the saved ones ./stack up was given fill the rest, so `./stack start`
# after `UPSTREAM_RATE_LIMIT_WINDOW=3s ./stack up` starts a service with the same 3-second window.
load_settings() { # [merge]
    local saved=""
    if [[ "${1:-}" == merge && -f "$SETTINGS_FILE" ]]; then
        saved=$(cat "$SETTINGS_FILE")
        load_settings_quietly
    fi
    export WEBHOOK_ALLOW_PRIVATE=${WEBHOOK_ALLOW_PRIVATE:-true}   # local stack only: webhooks to 127.0.0.1 allowed
    # The identity variables (ports, data) are the home's own, kept in $IDENTITY_FILE and guarded by guard_identity;
    # left out here, or REDIS_PORT, exported from the identity a first `up` saved, reads as a changed setting.
    local identity; identity=$(IFS='|'; echo "${IDENTITY_VARS[*]}")
    local now; now=$(export -p | grep -E "^declare -x ($SETTING_PREFIXES)_[A-Za-z0-9_]*=" \
        | grep -vE "^declare -x ($identity)=" || true)
    if [[ -n "$saved" && "$now" != "$saved" ]] && any_running; then
        warn "settings differ from the ones the running services started with; those keep theirs ('./stack down' first to apply them to all)"
    fi
    printf '%s\n' "$now" > "$SETTINGS_FILE"
}

# Against a real upstream the notifier refuses the documented local webhook secret: without WEBHOOK_SECRET, use
# (and on first use generate) a random one kept under this stack's home, and say where receivers find it.
ensure_webhook_secret() {
    [[ -n "${UPSTREAM_BASE_URL:-}" && -z "${WEBHOOK_SECRET:-}" ]] || return 0
    local file="$STATE/webhook-secret"
    if [[ ! -s "$file" ]]; then
        (umask 077; printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" > "$file")
        say "generated a webhook signing secret for this stack: $(rel "$file")"
    fi
    WEBHOOK_SECRET=$(cat "$file")
    export WEBHOOK_SECRET
    say "webhooks are signed with WEBHOOK_SECRET=$WEBHOOK_SECRET (kept in $(rel "$file"))"
}

load_settings_quietly() { # exports the saved settings that are not set now, saving nothing
    [[ -f "$SETTINGS_FILE" ]] || return 0
    local line name
    while IFS= read -r line; do
        [[ "$line" =~ ^declare\ -x\ ([A-Za-z_][A-Za-z0-9_]*)= ]] || continue
        name=${BASH_REMATCH[1]}
        [[ -n "${!name+x}" ]] || eval "export ${line#declare -x }"
    done < "$SETTINGS_FILE"
}

# A running stack keeps its ports and data: changing them under it would orphan its processes.
guard_identity() {
    ((${#IDENTITY_CHANGED[@]} == 0)) && return 0
    any_running && die "this stack ($(rel "$STATE")) runs with other values of ${IDENTITY_CHANGED[*]}; './stack down' first"
    return 0
}
