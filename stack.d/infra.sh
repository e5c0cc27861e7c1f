# shellcheck shell=bash
# ./stack infrastructure: Redis and MariaDB/MySQL, the running ones or, when none answers, our own under
# $STACK_HOME. Sourcing this file only defines functions.

ensure_redis() {
    port_open "$REDIS_PORT" && return 0
    command -v redis-server >/dev/null || die "Redis is not answering on 127.0.0.1:$REDIS_PORT and redis-server is not installed (apt install redis-server)."
    mkdir -p "$STATE/redis"
    say "starting Redis on 127.0.0.1:$REDIS_PORT (data under $(rel "$STATE/redis"))"
    ( close_inherited_fds; exec setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir "$STATE/redis" --logfile "$LOGS/redis.log" --daemonize no ) </dev/null >/dev/null 2>&1 &
    echo $! > "$RUN/redis.pid"
    STARTED_INFRA+=(redis)
    wait_port "$REDIS_PORT" 10 || die "Redis did not start; see $LOGS/redis.log"
}

mysql_server_bin() {
    local b
    for b in mariadbd mysqld /usr/sbin/mariadbd /usr/sbin/mysqld; do command -v "$b" >/dev/null && { command -v "$b"; return; }; done
    return 1
}

ensure_mysql() {
    port_open "$MYSQL_PORT" && return 0
    local server; server=$(mysql_server_bin) || die "MySQL/MariaDB is not answering on 127.0.0.1:$MYSQL_PORT and no server is installed (apt install mariadb-server)."
    local data="$STATE/mysql"
    if [[ ! -d "$data/mysql" ]]; then
        say "initialising MariaDB data under $(rel "$data")"
        mkdir -p "$data"
        local installer; installer=$(command -v mariadb-install-db || command -v mysql_install_db) || die "cannot initialise a database: mariadb-install-db not found"
        "$installer" --no-defaults --datadir="$data" --user="$(id -un)" --auth-root-authentication-method=normal >"$LOGS/mysql-init.log" 2>&1 \
            || die "database initialisation failed; see $LOGS/mysql-init.log"
    fi
    say "starting MariaDB on 127.0.0.1:$MYSQL_PORT (data under $(rel "$data"))"
    ( close_inherited_fds; exec setsid "$server" --no-defaults --datadir="$data" --port="$MYSQL_PORT" \
        --bind-address=127.0.0.1 --socket="$data/mysqld.sock" --pid-file="$data/mysqld.pid" --user="$(id -un)" \
        --log-error="$LOGS/mysql.log" ) </dev/null >/dev/null 2>&1 &
    echo $! > "$RUN/mysql.pid"
    STARTED_INFRA+=(mysql)
    wait_port "$MYSQL_PORT" 30 || die "MariaDB did not start; see $LOGS/mysql.log"
    # A fresh install authenticates root by unix socket only; the apps connect over TCP with an empty password.
    local client; client=$(command -v mariadb || command -v mysql)
    "$client" --no-defaults -uroot --socket="$data/mysqld.sock" -e \
        "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" 2>>"$LOGS/mysql.log" || true
}

stop_owned_infra() { # only what this invocation started: a stack that was already up keeps its own
    local name
    for name in ${STARTED_INFRA[@]+"${STARTED_INFRA[@]}"}; do stop_svcs "$name" >/dev/null; done
}

mysql_client() {
    local c; c=$(command -v mariadb || command -v mysql) || return 1
    MYSQL_PWD="${SPRING_R2DBC_PASSWORD:-}" "$c" --no-defaults -h127.0.0.1 -P"$MYSQL_PORT" -u"${SPRING_R2DBC_USERNAME:-root}" "$@"
}
